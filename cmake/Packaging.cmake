# The CMake package (find_package(IrqlCheck)) and the Debian package.

include(CMakePackageConfigHelpers)

# find_package(IrqlCheck) works from the build tree too: the config file
# finds everything relative to itself, and the build tree has the install
# layout.
set(IRQLCHECK_CMAKE_DIR ${CMAKE_BINARY_DIR}/lib/cmake/irqlcheck)
configure_file(${CMAKE_CURRENT_LIST_DIR}/IrqlCheckConfig.cmake
  ${IRQLCHECK_CMAKE_DIR}/IrqlCheckConfig.cmake COPYONLY)
write_basic_package_version_file(${IRQLCHECK_CMAKE_DIR}/IrqlCheckConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${IRQLCHECK_CMAKE_DIR}/IrqlCheckConfig.cmake
              ${IRQLCHECK_CMAKE_DIR}/IrqlCheckConfigVersion.cmake
        DESTINATION lib/cmake/irqlcheck)

# `cpack -G DEB` in the build directory (or `ninja package`) makes
# irqlcheck_VERSION_amd64.deb, installing under /usr.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME irqlcheck)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "IRQL and spin lock checker for Windows kernel driver C source")
set(CPACK_PACKAGE_DESCRIPTION
  "irqlcheck follows the IRQL and the held spin locks of every function of a
Windows kernel driver written in C and reports, before the driver runs, the
mistakes that end in IRQL_NOT_LESS_OR_EQUAL bugchecks and deadlocks. It runs
as a command-line tool over files or a compile_commands.json (text or SARIF
output) and as a clang-19 plugin inside a normal build.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "irqlcheck maintainers <irqlcheck@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Shared libraries (libclang-cpp19, libllvm19, libstdc++6, libc6) with the
# versions they need, as dpkg-shlibdeps finds them; then what is used by
# path at run time, which no linker sees:
# - clang-19: the plugin is loaded by clang-19, and by no other version;
# - libclang-common-19-dev: clang's builtin headers, the resource directory
#   compiled into the tool (${CLANG_RESOURCE_DIR});
# - mingw-w64-x86-64-dev: the DDK headers of the default flags
#   (${MINGW_SYSROOT}).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "clang-19 (>= 1:19.1), clang-19 (<< 1:20), libclang-common-19-dev, mingw-w64-x86-64-dev")
set(CPACK_STRIP_FILES ON)
include(CPack)
