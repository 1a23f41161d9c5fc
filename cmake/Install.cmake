# `cmake --install`: the pixfleet binary, the recipes (PIXFLEET_RECIPES_INSTALL_DIR, set in
# BuildInfo.cmake, where `--recipe NAME` finds them: src/cli/recipe_lookup.h) and the
# documentation. Nothing else is installed: tests, benchmarks and pixfleet-samples stay in the
# build tree.
include(GNUInstallDirs)
install(TARGETS pixfleet RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/recipes/ DESTINATION ${PIXFLEET_RECIPES_INSTALL_DIR}
        FILES_MATCHING PATTERN "*.yaml")
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        FILES_MATCHING PATTERN "*.md")

# A Debian package of the same files (`tools/dev.sh package`, or `cpack` in a build folder):
# pixfleet_<version>_<arch>.deb installing under /usr. Its Depends comes from the shared libraries
# the binary links (dpkg-shlibdeps, from dpkg-dev), not from a hand-kept list.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pixfleet)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "batch image-processing pipeline that scales from one machine to a fleet")
set(CPACK_PACKAGE_DESCRIPTION
    "pixfleet turns a folder or bucket of images into resized, converted and analysed renditions,
one task per image, with embedded SQLite state on one machine or RabbitMQ, PostgreSQL and S3
for a fleet of workers.")
# A placeholder address (.invalid never resolves): a published package sets its own.
set(PIXFLEET_PACKAGE_MAINTAINER "pixfleet maintainers <maintainers@pixfleet.invalid>" CACHE STRING
    "Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT ${PIXFLEET_PACKAGE_MAINTAINER})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/package)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION graphics)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
