# pixfleet_add_test(NAME name [THREADS] SOURCES ... DEPS ... [LABELS ...])
# One test binary per test file group; every gtest case becomes its own CTest test. Their main()
# is testing/gtest_main.cc (process-wide set-up before any test runs).
# THREADS: the code under test shares memory between threads (its own, or a port's it drives);
# such tests carry the label `unit-threads` instead of `unit` (one label: gtest_discover_tests
# cannot pass a list) and build with the target `threaded_tests`, which is what the
# ThreadSanitizer run builds and runs (the rest holds no data race to find).
function(pixfleet_add_test)
  if(NOT PIXFLEET_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "THREADS" "NAME" "SOURCES;DEPS;LABELS" ${ARGN})
  set(labels unit)
  if(ARG_LABELS)
    set(labels ${ARG_LABELS})
  endif()
  if(ARG_THREADS)
    if(ARG_LABELS)
      message(FATAL_ERROR "pixfleet_add_test(${ARG_NAME}): THREADS is for unit tests, not with LABELS")
    endif()
    set(labels unit-threads)
  endif()
  if(labels MATCHES "^unit" AND NOT PIXFLEET_BUILD_UNIT_TESTS)
    return()
  endif()
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE pixfleet_options ${ARG_DEPS} GTest::gtest GTest::gmock pixfleet_gtest_main)
  if(ARG_THREADS)
    if(NOT TARGET threaded_tests)
      add_custom_target(threaded_tests)
    endif()
    add_dependencies(threaded_tests ${ARG_NAME})
  endif()
  gtest_discover_tests(${ARG_NAME}
    PROPERTIES LABELS "${labels}" ENVIRONMENT "PIXFLEET_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
    DISCOVERY_TIMEOUT 60)
endfunction()
