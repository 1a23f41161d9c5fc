# Every third-party dependency comes from a Debian package (tools/install-deps.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(VIPS REQUIRED IMPORTED_TARGET vips-cpp)
# The encoders libvips wraps, called directly for plain 8-bit outputs (imaging/jpeg_writer.h).
pkg_check_modules(JPEG REQUIRED IMPORTED_TARGET libjpeg)
pkg_check_modules(WEBP REQUIRED IMPORTED_TARGET libwebp)
# lcms2 (libvips' colour management) parses ICC profiles for the own matrix-shaper conversion
# (imaging/matrix_shaper.h).
pkg_check_modules(LCMS2 REQUIRED IMPORTED_TARGET lcms2)
# GLib's module loader, for the one libvips module the engine loads itself (imaging/vips_init.cc).
pkg_check_modules(GMODULE REQUIRED IMPORTED_TARGET gmodule-2.0)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(JEMALLOC IMPORTED_TARGET jemalloc)
find_package(OpenSSL REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
if(PIXFLEET_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(PIXFLEET_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

# Links `target` with the allocator PIXFLEET_ALLOCATOR names (see README, "Memory", for the
# figures behind the default): nothing for the C library's malloc. The sanitizers bring their own
# allocator: nothing is linked there either.
function(pixfleet_use_allocator target)
  if(NOT PIXFLEET_ALLOCATOR MATCHES "^(jemalloc|system)$")
    message(FATAL_ERROR "PIXFLEET_ALLOCATOR: system or jemalloc, not '${PIXFLEET_ALLOCATOR}'")
  endif()
  if(PIXFLEET_ALLOCATOR STREQUAL "jemalloc" AND NOT JEMALLOC_FOUND)
    message(FATAL_ERROR "PIXFLEET_ALLOCATOR=jemalloc: the jemalloc package is not installed")
  endif()
  if(PIXFLEET_ALLOCATOR STREQUAL "jemalloc" AND NOT PIXFLEET_SANITIZER)
    target_link_libraries(${target} PRIVATE PkgConfig::JEMALLOC)
  endif()
endfunction()
