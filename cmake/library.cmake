# libvmdive.so, its headers, pkg-config file, man page and shell completion,
# and `cmake --install`.  Included once, at the end of the top CMakeLists.txt,
# when every layer (vd_layer) and the vmdive target exist.
include(GNUInstallDirs)

# The layers: every static library target named vd_*.  New layers join the
# shared library by being added with vd_layer(); nothing to list here.
get_property(vd_all_targets DIRECTORY ${CMAKE_SOURCE_DIR} PROPERTY BUILDSYSTEM_TARGETS)
set(VD_LAYER_TARGETS)
foreach(t ${vd_all_targets})
  get_target_property(t_type ${t} TYPE)
  if(t MATCHES "^vd_" AND t_type STREQUAL "STATIC_LIBRARY")
    list(APPEND VD_LAYER_TARGETS ${t})
  endif()
endforeach()
# Position-independent, so they can go into the shared library; hidden, so
# only what include/vmdive/ declares (under "#pragma GCC visibility
# push(default)") is exported.  Calls between the layers stay direct.
set_target_properties(${VD_LAYER_TARGETS} PROPERTIES
                      POSITION_INDEPENDENT_CODE ON
                      C_VISIBILITY_PRESET hidden)

# include/vmdive/version.h, from project()'s version.
set(VD_GENERATED_INCLUDE ${CMAKE_BINARY_DIR}/include)
configure_file(${CMAKE_SOURCE_DIR}/include/vmdive/version.h.in
               ${VD_GENERATED_INCLUDE}/vmdive/version.h @ONLY)
target_include_directories(vd_common PUBLIC ${VD_GENERATED_INCLUDE})

# libvmdive.so.0: the layers whole, exports cut by lib/libvmdive.map.
set(VD_MAP ${CMAKE_SOURCE_DIR}/lib/libvmdive.map)
add_library(libvmdive SHARED ${CMAKE_SOURCE_DIR}/lib/version.c)
set_target_properties(libvmdive PROPERTIES
                      OUTPUT_NAME vmdive
                      VERSION ${PROJECT_VERSION}
                      SOVERSION ${PROJECT_VERSION_MAJOR}
                      C_VISIBILITY_PRESET hidden
                      LINK_DEPENDS ${VD_MAP})
target_compile_definitions(libvmdive PRIVATE _GNU_SOURCE)
target_include_directories(libvmdive PUBLIC ${CMAKE_SOURCE_DIR}/include
                           ${VD_GENERATED_INCLUDE})
# --whole-archive: every object of every layer, also those nothing in the
# library calls (a public function used only by programs).  The layers'
# own dependencies (libelf, libdwarf, zlib, ...) follow as usual.
target_link_libraries(libvmdive PRIVATE
                      "-Wl,--whole-archive" ${VD_LAYER_TARGETS} "-Wl,--no-whole-archive"
                      ${VD_LAYER_TARGETS})
target_link_options(libvmdive PRIVATE "LINKER:--version-script=${VD_MAP}"
                    "LINKER:--no-undefined")
add_library(vmdive::vmdive ALIAS libvmdive)
