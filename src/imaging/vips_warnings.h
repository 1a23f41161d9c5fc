// libvips' GLib warnings, captured per thread. libvips 8.14 logs some decoders' own reasons
// instead of returning them: libpng's "IHDR: CRC error" or "IDAT: invalid distance too far back"
// reaches the error buffer as "vipspng: libpng read error", or not at all when the header is what
// failed (the caller then sees an empty message). A capture collects the "VIPS"-domain warnings
// logged on its own thread while it lives, so that the failure can name that reason. Warnings
// logged on libvips' worker threads (the pixel decode of a pipeline) are not seen: to hear them,
// the failing read is replayed on the calling thread (see decode.cc). Internal to imaging.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pixfleet {

class VipsWarningCapture {
 public:
  // Starts capturing this thread's warnings; an inner capture takes them while it lives.
  VipsWarningCapture();
  ~VipsWarningCapture();
  VipsWarningCapture(const VipsWarningCapture&) = delete;
  VipsWarningCapture& operator=(const VipsWarningCapture&) = delete;

  // The decoder's warnings so far, in order, without libvips' own bookkeeping lines ("error in
  // tile 0 x 88", "read gave 2 warnings"), which name no reason.
  const std::vector<std::string>& Messages() const { return messages_; }

  // Called by the log handler (see InstallVipsWarningHandler): true if a capture on this thread
  // took `message`.
  static bool Offer(const char* message);

 private:
  std::vector<std::string> messages_;
  VipsWarningCapture* outer_;
};

// True when libvips' error text names no reason of the `format` decoder's: none of its lines is
// about that format (the text is empty, or holds only lines about other images: libvips' error
// buffer is shared by the process and a successful decode may leave its first warning there),
// or the only ones are a generic line standing for a reason logged as a warning ("libpng read
// error").
bool NamesNoReason(std::string_view vips_text, std::string_view format);

// The reason of a failed read, on one line: when libvips' error text names a reason, its lines
// about `format` (see TakeVipsError); otherwise the decoder's `warnings` followed by libvips'
// generic line, if any (and, with no warnings either, the text as TakeVipsError gives it).
// Clears libvips' error buffer.
std::string FailureReason(std::string_view vips_text, std::string_view format,
                          const std::vector<std::string>& warnings);

// Routes libvips' "VIPS"-domain warnings: to the calling thread's capture if it has one, else
// to GLib's default handler (stderr) when `log_warnings`, else nowhere (a corrupt JPEG can log
// thousands of lines; failures reach callers as Status values). Call once, after VIPS_INIT.
void InstallVipsWarningHandler(bool log_warnings);

}  // namespace pixfleet
