// Deadline enforcement through libvips' progress signals. The handler runs on libvips worker
// threads; it only reads the (immutable, heap-owned) end time and cancel token, and sets the
// image's kill flag.
#include "imaging/deadline.h"

#include <cstdio>
#include <utility>

namespace pixfleet {
namespace {

// What the handler of one watched image reads; owned by the signal connection.
struct WatchedLimits {
  Deadline::Clock::time_point end;
  std::stop_token cancel;  // reading stop_requested() from any thread is safe
};

void OnEval(VipsImage* image, VipsProgress* /*progress*/, gpointer user_data) {
  const auto* limits = static_cast<const WatchedLimits*>(user_data);
  if (limits->cancel.stop_requested() || Deadline::Clock::now() >= limits->end) {
    vips_image_set_kill(image, TRUE);
  }
}

void DeleteLimits(gpointer data, GClosure* /*closure*/) {
  delete static_cast<WatchedLimits*>(data);
}

// G_CALLBACK is a C-style cast; keep it in one place.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
void ConnectEval(VipsImage* image, WatchedLimits* limits) {
  g_signal_connect_data(image, "eval", G_CALLBACK(OnEval), limits, DeleteLimits, GConnectFlags{});
}
#pragma GCC diagnostic pop

}  // namespace

Deadline::Deadline(std::chrono::milliseconds budget, std::stop_token cancel)
    : end_(Clock::now() + budget), budget_(budget), cancel_(std::move(cancel)) {}

Status Deadline::ExceededStatus() const {
  if (cancel_.stop_requested()) {
    return Cancelled("processing was cancelled (the worker is stopping)");
  }
  return ResourceExhausted("processing exceeded the time limit of " + FormatDuration(budget_));
}

Status Deadline::Check() const { return Expired() ? ExceededStatus() : Status::Ok(); }

void Deadline::Watch(const vips::VImage& image) const {
  VipsImage* raw = image.get_image();
  vips_image_set_progress(raw, TRUE);
  ConnectEval(raw, new WatchedLimits{end_, cancel_});
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
