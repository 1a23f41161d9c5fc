// TuneMallocForImages: settings of the C library's malloc (glibc) for a process that decodes and
// encodes images one after another. Call first thing in main(), before any other thread exists.
// With jemalloc linked (PIXFLEET_ALLOCATOR=jemalloc) mallopt() changes nothing that is used.
#pragma once

namespace pixfleet {

void TuneMallocForImages();

}  // namespace pixfleet
