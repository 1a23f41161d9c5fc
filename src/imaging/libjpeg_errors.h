// How the engine's own libjpeg code (jpeg_reader.h, jpeg_writer.h) gets libjpeg's failures back.
// libjpeg reports a failure by calling error_exit, which must not return: JumpBack jumps to the
// setjmp of the function that called into libjpeg, as libjpeg's own example does. Only libjpeg's
// C frames may lie between that setjmp and the jump, and the function's own locals must not need
// destructors, so that none is skipped. Internal to the imaging module.
#pragma once

#include <csetjmp>
#include <cstdio>  // jpeglib.h uses FILE without including it

#include <jpeglib.h>

namespace pixfleet {

struct LibjpegErrors {
  jpeg_error_mgr manager{};  // first: libjpeg hands back a pointer to it
  std::jmp_buf jump{};
  char message[JMSG_LENGTH_MAX] = {};  // the failure's text, formatted by libjpeg

  // The handler of `info` (whose err points at a LibjpegErrors).
  static LibjpegErrors& Of(j_common_ptr info) {
    return *reinterpret_cast<LibjpegErrors*>(info->err);
  }
};

// error_exit: keeps libjpeg's message and jumps back.
[[noreturn]] inline void JumpBack(j_common_ptr info) {
  LibjpegErrors& errors = LibjpegErrors::Of(info);
  (*info->err->format_message)(info, errors.message);
  std::longjmp(errors.jump, 1);  // NOLINT(cert-err52-cpp): see the file comment
}

// output_message: nothing goes to stderr; what matters is returned as a status.
inline void Quiet(j_common_ptr /*info*/) {}

// `errors` set up with libjpeg's defaults, JumpBack and Quiet; returns the manager for info.err.
inline jpeg_error_mgr* InstallJumpBack(LibjpegErrors& errors) {
  jpeg_error_mgr* manager = jpeg_std_error(&errors.manager);
  manager->error_exit = JumpBack;
  manager->output_message = Quiet;
  return manager;
}

}  // namespace pixfleet
