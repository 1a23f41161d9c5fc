// TuneMallocForImages: settings of the C library's malloc (glibc) for a process that decodes and
// encodes images one after another. Call first thing in main(), before any other thread exists.
// With jemalloc linked (PIXFLEET_ALLOCATOR=jemalloc) mallopt() changes nothing that is used.
#pragma once

namespace pixfleet {

void TuneMallocForImages();

// Gives the heap's free memory back to the kernel (glibc's malloc_trim). TuneMallocForImages
// keeps the heap at its high-water mark while images come one after another; a process with no
// image to work on calls this so as not to hold the largest one's memory while it waits. Costs
// a few milliseconds, and the next image's buffers are faulted in afresh.
void ReturnFreeMemory();

}  // namespace pixfleet
