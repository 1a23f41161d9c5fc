# pixfleet_options: one INTERFACE target carrying the language level, warnings and sanitizer
# flags. Every pixfleet target links it privately instead of relying on global flags.
add_library(pixfleet_options INTERFACE)
target_compile_features(pixfleet_options INTERFACE cxx_std_20)
target_compile_options(pixfleet_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Woverloaded-virtual -Wold-style-cast -Wimplicit-fallthrough
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wlogical-op>
  $<$<CXX_COMPILER_ID:Clang>:-Wthread-safety>
  # GCC 12's -Wrestrict reports overlapping copies inside std::string that cannot happen, once
  # libstdc++ is inlined at -O2/-O3 (GCC bugs 105329: assigning a one-character literal; 105651:
  # "literal" + std::string). Fixed in GCC 13; off for GCC 12 only, so optimised builds are clean.
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_GREATER_EQUAL:$<CXX_COMPILER_VERSION>,12>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>
  $<$<BOOL:${PIXFLEET_WARNINGS_AS_ERRORS}>:-Werror>)
# Source files are included as "module/file.h" relative to src/ (and testing/ for test helpers).
target_include_directories(pixfleet_options INTERFACE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR})

if(PIXFLEET_SANITIZER)
  if(PIXFLEET_SANITIZER MATCHES "thread" AND PIXFLEET_SANITIZER MATCHES "address")
    message(FATAL_ERROR "ThreadSanitizer cannot be combined with AddressSanitizer")
  endif()
  target_compile_options(pixfleet_options INTERFACE
    -fsanitize=${PIXFLEET_SANITIZER} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(pixfleet_options INTERFACE -fsanitize=${PIXFLEET_SANITIZER})
endif()
