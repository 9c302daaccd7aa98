# chainbreak_embed_dir(DIR NAMESPACE OUTPUT_VAR)
# Compiles every file under DIR (the web pages: HTML, CSS, JS, JSON) into a
# C++ source defining, in NAMESPACE,
#   struct EmbeddedFile { const char* path; const char* data; unsigned long size; };
#   extern const EmbeddedFile kEmbeddedFiles[]; extern const unsigned long kEmbeddedFileCount;
# with paths relative to DIR ("portal/index.html"), so the pages and the
# binary cannot drift apart. Re-run at configure time when a file changes or
# one is added (CONFIGURE_DEPENDS). Fails on a file holding the raw-string
# delimiter.
function(chainbreak_embed_dir dir namespace output_var)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS RELATIVE ${dir} ${dir}/*)
  list(SORT files)
  set(body "")
  set(count 0)
  foreach(rel IN LISTS files)
    if(rel MATCHES "(^|/)\\." OR rel MATCHES "~$")
      continue()
    endif()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${dir}/${rel})
    file(READ ${dir}/${rel} text)
    string(FIND "${text}" ")cbweb\"" bad)
    if(NOT bad EQUAL -1)
      message(FATAL_ERROR "${dir}/${rel} contains the raw-string delimiter )cbweb\"")
    endif()
    string(APPEND body "  {\"${rel}\", R\"cbweb(${text})cbweb\", sizeof(R\"cbweb(${text})cbweb\") - 1},\n")
    math(EXPR count "${count} + 1")
  endforeach()
  if(count EQUAL 0)
    set(body "  {\"\", \"\", 0},\n")
  endif()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/web_embedded.cc)
  file(CONFIGURE OUTPUT ${out} CONTENT
       "namespace ${namespace} {\nstruct EmbeddedFile { const char* path; const char* data; unsigned long size; };\nextern const EmbeddedFile kEmbeddedFiles[];\nextern const unsigned long kEmbeddedFileCount;\nconst EmbeddedFile kEmbeddedFiles[] = {\n@body@};\nconst unsigned long kEmbeddedFileCount = ${count};\n}\n"
       @ONLY)
  set(${output_var} ${out} PARENT_SCOPE)
endfunction()
