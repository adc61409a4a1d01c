# IrqlCheckConfig.cmake - find_package(IrqlCheck) for a driver project.
#
# Installed as PREFIX/lib/cmake/irqlcheck/ and copied to the same place in
# irqlcheck's build tree, so both work with
#   cmake -DIrqlCheck_DIR=PREFIX/lib/cmake/irqlcheck ...   (or CMAKE_PREFIX_PATH=PREFIX)
# Every path is relative to this file: a moved prefix still works.
#
# Sets:
#   IRQLCHECK_EXECUTABLE   the irqlcheck tool
#   IRQLCHECK_PLUGIN       the clang plugin (IrqlCheck.so; clang 19 only)
#   IRQLCHECK_SAL_HEADER   irqlcheck's SAL compatibility header
# Provides:
#   irqlcheck_enable_plugin(<target> [SAL_HEADER] [ENABLE rule,...]
#                           [DISABLE rule,...] [RULES dir])
#     Loads the plugin into every C/C++ compile of <target>, so the normal
#     build prints irqlcheck's findings as clang warnings.
#   irqlcheck_add_check(<name> [FILES file...] [FORMAT text|sarif]
#                       [OUTPUT file] [ARGS arg...] [ALL])
#     A custom target that runs irqlcheck over the project's
#     compile_commands.json (CMAKE_EXPORT_COMPILE_COMMANDS): it fails, as
#     the tool exits 1, when there are findings.

get_filename_component(_irqlcheck_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(IRQLCHECK_EXECUTABLE "${_irqlcheck_prefix}/bin/irqlcheck")
set(IRQLCHECK_PLUGIN "${_irqlcheck_prefix}/lib/irqlcheck/IrqlCheck.so")
set(IRQLCHECK_SAL_HEADER "${_irqlcheck_prefix}/share/irqlcheck/include/irqlcheck_sal.h")
unset(_irqlcheck_prefix)

foreach(_irqlcheck_f IRQLCHECK_EXECUTABLE IRQLCHECK_PLUGIN IRQLCHECK_SAL_HEADER)
  if(NOT EXISTS "${${_irqlcheck_f}}")
    set(IrqlCheck_FOUND FALSE)
    set(IrqlCheck_NOT_FOUND_MESSAGE "${${_irqlcheck_f}} is missing")
    return()
  endif()
endforeach()

function(irqlcheck_enable_plugin target)
  cmake_parse_arguments(PARSE_ARGV 1 IC "SAL_HEADER" "RULES" "ENABLE;DISABLE")
  if(IC_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "irqlcheck_enable_plugin: unknown arguments ${IC_UNPARSED_ARGUMENTS}")
  endif()
  # The plugin is built against clang 19's C++ API: another compiler cannot
  # load it (gcc has no -fplugin for clang plugins at all).
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang"
     OR NOT CMAKE_C_COMPILER_VERSION MATCHES "^19\\.")
    message(FATAL_ERROR "irqlcheck_enable_plugin(${target}): the plugin needs "
      "clang 19 as the C compiler, not ${CMAKE_C_COMPILER_ID} "
      "${CMAKE_C_COMPILER_VERSION} (configure with CC=clang-19)")
  endif()
  set(opts "-fplugin=${IRQLCHECK_PLUGIN}")
  if(IC_SAL_HEADER)
    list(APPEND opts "SHELL:-include ${IRQLCHECK_SAL_HEADER}")
  endif()
  foreach(kind ENABLE DISABLE)
    if(IC_${kind})
      string(TOLOWER ${kind} arg)
      string(REPLACE ";" "," rules "${IC_${kind}}")
      list(APPEND opts "-fplugin-arg-irqlcheck-${arg}=${rules}")
    endif()
  endforeach()
  if(IC_RULES)
    get_filename_component(dir "${IC_RULES}" ABSOLUTE)
    list(APPEND opts "-fplugin-arg-irqlcheck-rules=${dir}")
  endif()
  target_compile_options(${target} PRIVATE "$<$<COMPILE_LANGUAGE:C,CXX>:${opts}>")
endfunction()

function(irqlcheck_add_check name)
  cmake_parse_arguments(PARSE_ARGV 1 IC "ALL" "FORMAT;OUTPUT" "FILES;ARGS")
  if(IC_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "irqlcheck_add_check: unknown arguments ${IC_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT CMAKE_EXPORT_COMPILE_COMMANDS)
    message(FATAL_ERROR "irqlcheck_add_check(${name}) reads compile_commands.json: "
      "set(CMAKE_EXPORT_COMPILE_COMMANDS ON) before it")
  endif()
  set(cmd "${IRQLCHECK_EXECUTABLE}" -p "${CMAKE_BINARY_DIR}" --progress=never)
  if(IC_FORMAT)
    list(APPEND cmd "--format=${IC_FORMAT}")
  endif()
  if(IC_OUTPUT)
    get_filename_component(out "${IC_OUTPUT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
    list(APPEND cmd -o "${out}")
  endif()
  list(APPEND cmd ${IC_ARGS})
  foreach(f ${IC_FILES})
    get_filename_component(f "${f}" ABSOLUTE)
    list(APPEND cmd "${f}")
  endforeach()
  if(IC_ALL)
    set(all ALL)
  endif()
  add_custom_target(${name} ${all}
    COMMAND ${cmd}
    WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}"
    COMMENT "irqlcheck: checking the TUs of compile_commands.json"
    VERBATIM USES_TERMINAL)
endfunction()
