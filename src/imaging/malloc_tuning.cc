// Why each setting, measured with bench/engine_stages on 19 photos and bench/memory.sh:
//
// - M_ARENA_MAX 2: glibc's per-thread arenas fragment under libvips' allocation pattern and RSS
//   crept up over thousands of images; two arenas keep it flat.
// - M_MMAP_THRESHOLD 256 MiB and M_TRIM_THRESHOLD 512 MiB: by default a buffer over 128 KiB (the
//   threshold then adapts upward to at most 32 MiB) gets pages of its own from the kernel and
//   gives them back when freed, so every image faults in, and the kernel zeroes, its decode
//   buffers afresh: ~6,000 page faults and ~30 ms of system time per photo. Kept in the heap
//   instead, they are reused by the next image: a quarter of the faults, system time halved.
//   The price is that the heap stays at its high-water mark between images rather than
//   shrinking back (it is reached by every photo anyway); a buffer over 256 MiB (a gigapixel
//   input's) is still mapped and returned on its own. A worker with no task gives the heap back
//   (ReturnFreeMemory): after 24 photos, an idle worker's RSS 151 -> 77 MB.
#include "imaging/malloc_tuning.h"

#include <malloc.h>

namespace pixfleet {
namespace {

constexpr int kMiB = 1 << 20;

}  // namespace

void TuneMallocForImages() {
  // NOLINTBEGIN(concurrency-mt-unsafe): called before any other thread exists
  mallopt(M_ARENA_MAX, 2);
  mallopt(M_MMAP_THRESHOLD, 256 * kMiB);
  mallopt(M_TRIM_THRESHOLD, 512 * kMiB);
  // NOLINTEND(concurrency-mt-unsafe)
}

void ReturnFreeMemory() { malloc_trim(0); }

}  // namespace pixfleet
