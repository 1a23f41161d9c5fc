#include "imaging/vips_warnings.h"

#include <algorithm>
#include <array>
#include <string_view>

#include <glib.h>

#include "imaging/vips_util.h"

namespace pixfleet {
namespace {

thread_local VipsWarningCapture* t_capture = nullptr;

// Error lines of libvips 8.14 that stand for a reason it logged as a warning instead.
constexpr std::array<std::string_view, 1> kGenericErrors = {"libpng read error"};

// libvips' own lines about a failure it already returns: they name no reason.
bool IsBookkeeping(std::string_view message) {
  static constexpr std::array<std::string_view, 2> kPrefixes = {"error in tile ", "read gave "};
  for (std::string_view prefix : kPrefixes) {
    if (message.starts_with(prefix)) return true;
  }
  return false;
}

void RouteWarning(const gchar* domain, GLogLevelFlags level, const gchar* message,
                  gpointer log_warnings) {
  if (message != nullptr && VipsWarningCapture::Offer(message)) return;
  if (log_warnings != nullptr) g_log_default_handler(domain, level, message, nullptr);
}

}  // namespace

VipsWarningCapture::VipsWarningCapture() : outer_(t_capture) { t_capture = this; }

VipsWarningCapture::~VipsWarningCapture() { t_capture = outer_; }

bool VipsWarningCapture::Offer(const char* message) {
  if (t_capture == nullptr) return false;
  std::string_view text(message);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (!text.empty() && !IsBookkeeping(text)) t_capture->messages_.emplace_back(text);
  return true;
}

bool NamesNoReason(std::string_view vips_text, std::string_view format) {
  const std::string own = LinesAbout(vips_text, format);
  if (own.find_first_not_of(" \n") == std::string::npos) return true;
  return std::any_of(kGenericErrors.begin(), kGenericErrors.end(),
                     [&](std::string_view line) { return own.find(line) != std::string::npos; });
}

std::string FailureReason(std::string_view vips_text, std::string_view format,
                          const std::vector<std::string>& warnings) {
  if (!NamesNoReason(vips_text, format) || warnings.empty()) {
    return TakeVipsError(vips::VError(std::string(vips_text)), format);
  }
  // The decoder's words first, then libvips' generic line if it gave one; lines about other
  // images (a stale warning of an earlier decode, another thread's failure) are left out.
  std::vector<std::string> lines = warnings;
  lines.push_back(LinesAbout(vips_text, format));
  vips_error_clear();
  return JoinMessageLines(lines);
}

void InstallVipsWarningHandler(bool log_warnings) {
  static int enabled = 1;
  g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, RouteWarning,
                    log_warnings ? static_cast<gpointer>(&enabled) : nullptr);
}

}  // namespace pixfleet
