// Deadline enforcement through libvips' progress signals. The handler runs on libvips worker
// threads; it only reads the (immutable, heap-owned) end time and sets the image's kill flag.
#include "imaging/deadline.h"

#include <cstdio>

namespace pixfleet {
namespace {

void OnEval(VipsImage* image, VipsProgress* /*progress*/, gpointer user_data) {
  const auto* end = static_cast<const Deadline::Clock::time_point*>(user_data);
  if (Deadline::Clock::now() >= *end) vips_image_set_kill(image, TRUE);
}

void DeleteEnd(gpointer data, GClosure* /*closure*/) {
  delete static_cast<Deadline::Clock::time_point*>(data);
}

// G_CALLBACK is a C-style cast; keep it in one place.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
void ConnectEval(VipsImage* image, Deadline::Clock::time_point* end) {
  g_signal_connect_data(image, "eval", G_CALLBACK(OnEval), end, DeleteEnd, GConnectFlags{});
}
#pragma GCC diagnostic pop

}  // namespace

Deadline::Deadline(std::chrono::milliseconds budget)
    : end_(Clock::now() + budget), budget_(budget) {}

Status Deadline::ExceededStatus() const {
  return ResourceExhausted("processing exceeded the time limit of " + FormatDuration(budget_));
}

Status Deadline::Check() const { return Expired() ? ExceededStatus() : Status::Ok(); }

void Deadline::Watch(const vips::VImage& image) const {
  VipsImage* raw = image.get_image();
  vips_image_set_progress(raw, TRUE);
  ConnectEval(raw, new Clock::time_point(end_));
}

std::string FormatDuration(std::chrono::milliseconds duration) {
  const long long ms = duration.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  if (ms >= 1000) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000.0);
    return text;
  }
  return std::to_string(ms) + " ms";
}

}  // namespace pixfleet
