// Process-wide libvips start-up. VIPS_INIT runs exactly once (std::call_once); the settings that
// may differ between calls (threads per image, untrusted loaders) are applied on every call.
#include "imaging/vips_init.h"

#include <atomic>
#include <mutex>
#include <string>

#include <vips/vips.h>

#include "imaging/engine.h"
#include "imaging/vips_util.h"
#include "imaging/vips_warnings.h"

namespace pixfleet {
namespace {

std::atomic<bool> g_started{false};
std::once_flag g_init_once;
std::string g_init_error;  // written once inside call_once, read after it

void StartVips(bool log_warnings) {
  if (VIPS_INIT("pixfleet") != 0) {
    g_init_error = TakeVipsErrorBuffer();
    return;
  }
  // The operation cache only helps when the same image is processed again; a batch never does.
  vips_cache_set_max(0);
  vips_cache_set_max_mem(0);
  vips_cache_set_max_files(0);
  // Decoder warnings go to the capture of the thread that is reading an image (so that a
  // failure can name its reason), otherwise nowhere unless asked for.
  InstallVipsWarningHandler(log_warnings);
  g_started.store(true);
}

}  // namespace

bool ImageEngineStarted() { return g_started.load(); }

Status InitImageEngine(const EngineOptions& options) {
  if (options.vips_threads_per_image < 1) {
    return InvalidArgument("vips_threads_per_image must be at least 1, got " +
                           std::to_string(options.vips_threads_per_image));
  }
  std::call_once(g_init_once, StartVips, options.log_vips_warnings);
  if (!g_started.load()) return Internal("libvips failed to start: " + g_init_error);

  static std::mutex settings_mutex;
  const std::lock_guard<std::mutex> lock(settings_mutex);
  vips_concurrency_set(options.vips_threads_per_image);
  // Loaders libvips marks untrusted (SVG, PDF, ImageMagick, JPEG 2000, JXL, ...) are not fuzzed;
  // the engine accepts only six formats anyway, this is defence in depth.
  vips_block_untrusted_set(options.allow_untrusted_loaders ? FALSE : TRUE);
  return Status::Ok();
}

}  // namespace pixfleet
