# chainbreak_embed_text(SOURCE NAMESPACE SYMBOL DELIMITER OUTPUT_VAR)
# Compiles a text file into a C++ source defining
#   namespace NAMESPACE { extern const char* const SYMBOL; }
# as a raw string literal with DELIMITER, so the file and the binary cannot
# drift apart (re-run at configure time when the file changes). Fails when
# the text contains the closing delimiter. Sets OUTPUT_VAR to the generated
# source path.
function(chainbreak_embed_text source namespace symbol delimiter output_var)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${source})
  file(READ ${source} text)
  string(FIND "${text}" ")${delimiter}\"" bad)
  if(NOT bad EQUAL -1)
    message(FATAL_ERROR "${source} contains the raw-string delimiter )${delimiter}\"")
  endif()
  get_filename_component(name ${source} NAME_WE)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${name}_embedded.cc)
  file(CONFIGURE OUTPUT ${out} CONTENT
       "namespace ${namespace} {\nextern const char* const ${symbol};\nconst char* const ${symbol} = R\"${delimiter}(@text@)${delimiter}\";\n}\n"
       @ONLY)
  set(${output_var} ${out} PARENT_SCOPE)
endfunction()
