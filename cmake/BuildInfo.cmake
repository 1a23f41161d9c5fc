# pixfleet_build_info: a generated header, cli/build_info.h, with the version from project() and,
# when built from a git checkout, the commit (for `pixfleet --version`). The commit is read on
# every build (one git call) and the header is rewritten only when its content changes, so a new
# commit recompiles only what includes it. It also says where the installed recipes are, relative
# to the installed binary (share/pixfleet/recipes beside bin/, see cmake/Install.cmake).
include(GNUInstallDirs)
set(PIXFLEET_RECIPES_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/pixfleet/recipes)
file(RELATIVE_PATH recipes_from_binary ${CMAKE_INSTALL_FULL_BINDIR}
     ${CMAKE_INSTALL_PREFIX}/${PIXFLEET_RECIPES_INSTALL_DIR})
set(PIXFLEET_GENERATED_DIR ${PROJECT_BINARY_DIR}/generated)
add_custom_target(pixfleet_build_info
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DVERSION=${PROJECT_VERSION}
          -DRECIPES_FROM_BINARY=${recipes_from_binary}
          -DTEMPLATE=${PROJECT_SOURCE_DIR}/cmake/build_info.h.in
          -DOUTPUT=${PIXFLEET_GENERATED_DIR}/cli/build_info.h
          -P ${PROJECT_SOURCE_DIR}/cmake/WriteBuildInfo.cmake
  BYPRODUCTS ${PIXFLEET_GENERATED_DIR}/cli/build_info.h
  VERBATIM)

# Gives TARGET the generated headers ("cli/build_info.h"), made before it compiles.
function(pixfleet_use_build_info target)
  add_dependencies(${target} pixfleet_build_info)
  target_include_directories(${target} PRIVATE ${PIXFLEET_GENERATED_DIR})
endfunction()
