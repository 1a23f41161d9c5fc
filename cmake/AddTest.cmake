# pixfleet_add_test(NAME name SOURCES ... DEPS ... [LABELS ...])
# One test binary per test file group; every gtest case becomes its own CTest test. Their main()
# is testing/gtest_main.cc (process-wide set-up before any test runs).
function(pixfleet_add_test)
  if(NOT PIXFLEET_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE pixfleet_options ${ARG_DEPS} GTest::gtest GTest::gmock pixfleet_gtest_main)
  set(labels unit)
  if(ARG_LABELS)
    set(labels ${ARG_LABELS})
  endif()
  gtest_discover_tests(${ARG_NAME}
    PROPERTIES LABELS "${labels}" ENVIRONMENT "PIXFLEET_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
    DISCOVERY_TIMEOUT 60)
endfunction()
