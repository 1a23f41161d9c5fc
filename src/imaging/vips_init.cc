// Process-wide libvips start-up. VIPS_INIT runs exactly once (std::call_once); the settings that
// may differ between calls (threads per image, untrusted loaders) are applied on every call.
#include "imaging/vips_init.h"

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>

#include <gmodule.h>
#include <vips/vips.h>

#include "imaging/engine.h"
#include "imaging/vips_util.h"
#include "imaging/vips_warnings.h"

namespace pixfleet {
namespace {

// libvips loads every module in its module directory at start-up; Debian 12 ships ImageMagick's,
// poppler's (PDF), OpenSlide's, JPEG XL's and libheif's. All but libheif's (HEIF and AVIF, in and
// out) read formats the engine refuses, and loading them cost every process ~50 ms of CPU
// (ImageMagick's library and its dependencies are mapped and relocated): a third of a small
// photo's work, paid by every worker and every `pixfleet process`. So libvips is given a prefix
// without modules (VIPSHOME, its documented override, unless the user set their own) and
// libheif's module is loaded by name. libvips keeps VIPSHOME set for child processes; a worker
// that finds this prefix there chooses its modules the same way.
constexpr const char* kPrefixWithoutModules = "/nonexistent/pixfleet-chooses-libvips-modules";
constexpr const char* kHeifModule = PIXFLEET_VIPS_MODULE_DIR "/vips-heif." G_MODULE_SUFFIX;

bool ChoosesModules() {
  const char* home = g_getenv("VIPSHOME");
  return home == nullptr || std::strcmp(home, kPrefixWithoutModules) == 0;
}

// What libvips' own module loading does for each module: open it (its g_module_check_init
// registers its operations) and keep it for the life of the process. Without it (a libvips
// built without libheif) HEIF and AVIF are unsupported, as they would be then anyway.
void LoadHeifModule() {
  GModule* module = g_module_open(kHeifModule, G_MODULE_BIND_LAZY);
  if (module != nullptr) g_module_make_resident(module);
}

std::atomic<bool> g_started{false};
std::once_flag g_init_once;
std::string g_init_error;  // written once inside call_once, read after it

void StartVips(bool log_warnings) {
  const bool choose_modules = ChoosesModules();
  if (choose_modules) g_setenv("VIPSHOME", kPrefixWithoutModules, TRUE);
  if (VIPS_INIT("pixfleet") != 0) {
    g_init_error = TakeVipsErrorBuffer();
    return;
  }
  if (choose_modules) LoadHeifModule();
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
