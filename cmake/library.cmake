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
# Position-independent, so they can go into the shared library.
set_target_properties(${VD_LAYER_TARGETS} PROPERTIES POSITION_INDEPENDENT_CODE ON)

# include/vmdive/version.h, from project()'s version.
set(VD_GENERATED_INCLUDE ${CMAKE_BINARY_DIR}/include)
configure_file(${CMAKE_SOURCE_DIR}/include/vmdive/version.h.in
               ${VD_GENERATED_INCLUDE}/vmdive/version.h @ONLY)
target_include_directories(vd_common PUBLIC ${VD_GENERATED_INCLUDE})

# libvmdive.so.0: the layers whole.  It exports what include/vmdive/ declares
# and nothing else: the version script is made from the headers at build
# time (cmake/version_script.cmake), every export in the node VMDIVE_0 (the
# SONAME's 0); all other names, the layers' internals, become local.
file(GLOB vd_public_headers CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/include/vmdive/*.h)
set(VD_MAP ${CMAKE_BINARY_DIR}/libvmdive.map)
add_custom_command(OUTPUT ${VD_MAP}
  COMMAND ${CMAKE_COMMAND} -DOUT=${VD_MAP} -DNODE=VMDIVE_${PROJECT_VERSION_MAJOR}
          "-DHEADERS=${vd_public_headers}"
          -P ${CMAKE_SOURCE_DIR}/cmake/version_script.cmake
  DEPENDS ${vd_public_headers} ${CMAKE_SOURCE_DIR}/cmake/version_script.cmake
  VERBATIM)
add_custom_target(libvmdive_map DEPENDS ${VD_MAP})
add_library(libvmdive SHARED ${CMAKE_SOURCE_DIR}/lib/version.c)
set_target_properties(libvmdive PROPERTIES
                      OUTPUT_NAME vmdive
                      VERSION ${PROJECT_VERSION}
                      SOVERSION ${PROJECT_VERSION_MAJOR}
                      LINK_DEPENDS ${VD_MAP})
add_dependencies(libvmdive libvmdive_map)
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

# Installed programs find the library relative to themselves, so an
# installed tree works wherever it is put (cmake --install --prefix DIR).
file(RELATIVE_PATH vd_bin_to_lib
     ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_LIBDIR})
set_target_properties(vmdive PROPERTIES INSTALL_RPATH "$ORIGIN/${vd_bin_to_lib}")

# vmdive.pc.  Requires.private and Libs.private name what the layers link:
# a PkgConfig::X target is the pkg-config module X_MODULE_NAME, a library
# file libY.so is -lY.  They matter for `pkg-config --static` (and for
# --cflags, which reads Requires.private): libvmdive.so records its NEEDED.
set(vd_pc_requires)
set(vd_pc_libs)
foreach(t ${VD_LAYER_TARGETS})
  get_target_property(deps ${t} INTERFACE_LINK_LIBRARIES)
  foreach(d ${deps})
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" d "${d}")
    if(d MATCHES "^PkgConfig::(.+)$")
      list(APPEND vd_pc_requires ${${CMAKE_MATCH_1}_MODULE_NAME})
    elseif(TARGET ${d} OR d MATCHES "^vd_")
      # another layer
    elseif(d MATCHES "/lib([^/]+)\\.(so|a)[.0-9]*$")
      list(APPEND vd_pc_libs -l${CMAKE_MATCH_1})
    elseif(d MATCHES "^-l")
      list(APPEND vd_pc_libs ${d})
    endif()
  endforeach()
endforeach()
list(REMOVE_DUPLICATES vd_pc_requires)
list(REMOVE_DUPLICATES vd_pc_libs)
string(REPLACE ";" " " VD_PC_REQUIRES_PRIVATE "${vd_pc_requires}")
string(REPLACE ";" " " VD_PC_LIBS_PRIVATE "${vd_pc_libs}")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(VD_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(VD_PC_LIBDIR "${CMAKE_INSTALL_FULL_LIBDIR}")
  set(VD_PC_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
  file(RELATIVE_PATH vd_pc_up "/x/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/x")
  string(REGEX REPLACE "/$" "" vd_pc_up "${vd_pc_up}")
  set(VD_PC_PREFIX "\${pcfiledir}/${vd_pc_up}")
  set(VD_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(VD_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${CMAKE_SOURCE_DIR}/lib/vmdive.pc.in ${CMAKE_BINARY_DIR}/vmdive.pc @ONLY)

install(TARGETS vmdive RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS libvmdive LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${vd_public_headers} ${VD_GENERATED_INCLUDE}/vmdive/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/vmdive)
install(FILES ${CMAKE_BINARY_DIR}/vmdive.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# Tests of the library as its users see it (tests/lib/).
set(VD_LIB_TEST_FLAGS)
if(VMDIVE_SANITIZE)
  # A sanitized library needs programs built with the same runtime.
  set(VD_LIB_TEST_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all)
endif()
set(vd_layer_files)
foreach(t ${VD_LAYER_TARGETS})
  list(APPEND vd_layer_files $<TARGET_FILE:${t}>)
endforeach()
add_test(NAME lib/exports
         COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/lib/check_exports.py check
                 ${CMAKE_SOURCE_DIR}/include/vmdive $<TARGET_FILE:libvmdive> ${VD_MAP}
                 ${vd_layer_files})
add_test(NAME lib/headers
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/lib/test_headers.sh ${CMAKE_SOURCE_DIR}
                 ${VD_GENERATED_INCLUDE} $<TARGET_FILE_DIR:libvmdive> ${VD_LIB_TEST_FLAGS})
add_test(NAME lib/example
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/lib/test_example.sh synth ${CMAKE_BINARY_DIR}
                 ${CMAKE_SOURCE_DIR} $<TARGET_FILE:mkelf> ${VD_LIB_TEST_FLAGS})
add_test(NAME lib/example_real
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/lib/test_example.sh real ${CMAKE_BINARY_DIR}
                 ${CMAKE_SOURCE_DIR} $<TARGET_FILE:mkelf> ${VD_LIB_TEST_FLAGS})
set_tests_properties(lib/exports lib/headers lib/example PROPERTIES
                     SKIP_RETURN_CODE 77 LABELS library)
set_tests_properties(lib/example_real PROPERTIES SKIP_RETURN_CODE 77 LABELS "library;real"
                     TIMEOUT 600)

# The man page and the bash completion, made by the vmdive just built from
# its command table (cli/doc.c), and installed where man and bash-completion
# look.
foreach(doc man bash-completion)
  set(out ${CMAKE_BINARY_DIR}/vmdive.${doc})
  add_custom_command(OUTPUT ${out}
    COMMAND sh -c "\"$1\" help --${doc} >\"$2.tmp\" && mv \"$2.tmp\" \"$2\""
            sh $<TARGET_FILE:vmdive> ${out}
    DEPENDS vmdive VERBATIM)
endforeach()
add_custom_target(vmdive_docs ALL DEPENDS ${CMAKE_BINARY_DIR}/vmdive.man
                  ${CMAKE_BINARY_DIR}/vmdive.bash-completion)
install(FILES ${CMAKE_BINARY_DIR}/vmdive.man
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 RENAME vmdive.1)
install(FILES ${CMAKE_BINARY_DIR}/vmdive.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME vmdive)
add_test(NAME lib/docs
         COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/lib/docs_check.py $<TARGET_FILE:vmdive>
                 ${CMAKE_BINARY_DIR}/vmdive.man ${CMAKE_BINARY_DIR}/vmdive.bash-completion)
set_tests_properties(lib/docs PROPERTIES LABELS library)
add_test(NAME lib/cli_public
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/lib/test_cli_public.sh ${CMAKE_SOURCE_DIR}
                 $<TARGET_FILE:vmdive>)
set_tests_properties(lib/cli_public PROPERTIES LABELS library)
