// Deadline: the wall-time budget of one ProcessImage call, and the means to make libvips stop
// when it runs out or when its caller cancels the work (a worker whose grace period ended).
// Watch() hooks libvips' "eval" progress signal of an image and kills the computation once the
// deadline has passed or the cancel token was requested (sharp's timeout works the same way); a
// plain timer could not interrupt a running libvips operation.
#pragma once

#include <chrono>
#include <stop_token>
#include <string>

#include <vips/vips8>

#include "core/status.h"

namespace pixfleet {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts now; `budget` is the whole allowance. A request on `cancel` ends it early.
  explicit Deadline(std::chrono::milliseconds budget, std::stop_token cancel = {});

  bool Expired() const { return cancel_.stop_requested() || Clock::now() >= end_; }

  // Why it expired: kCancelled "processing was cancelled (the worker is stopping)" once cancel
  // was requested (the task is not to blame), else kResourceExhausted "processing exceeded the
  // time limit of 120 s".
  Status ExceededStatus() const;

  // OK while time remains and nobody cancelled, ExceededStatus() after.
  Status Check() const;

  // From now on, computing `image` or anything derived from it is cancelled once the deadline has
  // passed or cancel is requested: libvips then fails with "killed for image". Call before the
  // computation starts.
  void Watch(const vips::VImage& image) const;

 private:
  Clock::time_point end_;
  std::chrono::milliseconds budget_;
  std::stop_token cancel_;
};

// "120 s", "1.5 s", "250 ms".
std::string FormatDuration(std::chrono::milliseconds duration);

}  // namespace pixfleet
