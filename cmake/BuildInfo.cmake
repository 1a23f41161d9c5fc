# pixfleet_build_info: a generated header, cli/build_info.h, with the version from project() and,
# when built from a git checkout, the commit (for `pixfleet --version`). The commit is read on
# every build (one git call) and the header is rewritten only when its content changes, so a new
# commit recompiles only what includes it.
set(PIXFLEET_GENERATED_DIR ${PROJECT_BINARY_DIR}/generated)
add_custom_target(pixfleet_build_info
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DVERSION=${PROJECT_VERSION}
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
