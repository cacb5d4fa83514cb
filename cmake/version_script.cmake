# cmake -P version_script.cmake -DOUT=FILE -DHEADERS="a.h;b.h" -DNODE=VMDIVE_0
#
# Writes the linker version script of libvmdive.so: every function and
# variable the public headers declare is global, with the version node NODE;
# everything else is local.  A new public header, or a new declaration in
# one, is exported by being declared there; nothing else to list.
#
# The headers are read as C, with what is not a declaration dropped first:
# comments, preprocessor lines.  A function is "vd_NAME (" not preceded by
# "(" or "(*" (a function-pointer member or typedef); a variable is
# "extern ... vd_NAME;" or "extern ... vd_NAME[];".  Other names may come along (a typedef'd function
# type, a call in a static inline body): the linker ignores names the
# library does not define.  tests/lib/check_exports.py parses the headers
# its own way and checks the library's exports against them.
set(names)
foreach(h ${HEADERS})
  file(READ ${h} text)
  string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" " " text "${text}")
  string(REGEX REPLACE "//[^\n]*" " " text "${text}")
  string(REGEX REPLACE "(^|\n)[ \t]*#[^\n]*" "\n" text "${text}")
  string(REGEX MATCHALL "[^A-Za-z0-9_(*][ \t\n*]*vd_[A-Za-z0-9_]+[ \t\n]*\\(" funcs "${text}")
  string(REGEX MATCHALL "extern[^;(){}]*[ \t\n*]vd_[A-Za-z0-9_]+[ \t\n]*(\\[[^;]*\\])?[ \t\n]*;"
         vars "${text}")
  foreach(m ${funcs} ${vars})
    # The declared name is the last vd_ word: "extern struct vd_error vd_stop"
    # (the ";" went as a list separator), "struct vd_error *vd_session_open (".
    string(REGEX MATCH "vd_[A-Za-z0-9_]+[ \t\n]*(\\[[^;]*\\])?[ \t\n]*[(]?$" name "${m}")
    string(REGEX MATCH "vd_[A-Za-z0-9_]+" name "${name}")
    list(APPEND names ${name})
  endforeach()
endforeach()
list(REMOVE_DUPLICATES names)
list(SORT names)
set(map "/* Made by cmake/version_script.cmake from include/vmdive/*.h. */\n${NODE} {\n\tglobal:\n")
foreach(n ${names})
  string(APPEND map "\t\t${n};\n")
endforeach()
string(APPEND map "\tlocal:\n\t\t*;\n};\n")
# Rewrite only on change: the library relinks when it changes.
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${map}")
  file(WRITE ${OUT} "${map}")
endif()
