// Deadline: the wall-time budget of one ProcessImage call, and the means to make libvips stop
// when it runs out. Watch() hooks libvips' "eval" progress signal of an image and kills the
// computation once the deadline has passed (sharp's timeout works the same way); a plain timer
// could not interrupt a running libvips operation.
#pragma once

#include <chrono>
#include <string>

#include <vips/vips8>

#include "core/status.h"

namespace pixfleet {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts now; `budget` is the whole allowance.
  explicit Deadline(std::chrono::milliseconds budget);

  bool Expired() const { return Clock::now() >= end_; }

  // kResourceExhausted "processing exceeded the time limit of 120 s".
  Status ExceededStatus() const;

  // OK while time remains, ExceededStatus() after.
  Status Check() const;

  // From now on, computing `image` or anything derived from it is cancelled once the deadline has
  // passed: libvips then fails with "killed for image". Call before the computation starts.
  void Watch(const vips::VImage& image) const;

 private:
  Clock::time_point end_;
  std::chrono::milliseconds budget_;
};

// "120 s", "1.5 s", "250 ms".
std::string FormatDuration(std::chrono::milliseconds duration);

}  // namespace pixfleet
