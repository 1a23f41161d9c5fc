// pixfleet-bench-image: the libvips measurements bench/engine.sh needs beside pixfleet itself.
//   decode BOX FILE...     the decode-only bound: each file opened with the JPEG loader's
//                          shrink-on-load at the largest power of two that still leaves its long
//                          side >= BOX, every decoded pixel read (the image's average), one
//                          libvips thread. Prints nothing but the count.
//   ssim ORIGINAL TEST     SSIM (luma, 11x11 Gaussian window of sigma 1.5, the usual constants) of
//                          TEST against a full-quality reference made from ORIGINAL: decoded at
//                          full size, turned upright, resized with Lanczos-3 to TEST's exact size,
//                          never lossily encoded. Prints the index (1 = identical).
//   gigapixel PHOTO SIZE OUT.jpg OUT.tif
//                          a SIZE x SIZE image from PHOTO enlarged, with noise added so that it
//                          does not compress to nothing, written as a baseline JPEG and as a
//                          tiled, JPEG-compressed TIFF; streamed, so memory stays small.
// Errors go to stderr with exit status 1.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <vips/vips8>

#include "testing/image_similarity.h"

namespace {

using vips::VImage;

int Decode(int box, int count, char** files) {
  vips_concurrency_set(1);  // as the worker runs one image: one thread each
  double sum = 0;
  for (int i = 0; i < count; ++i) {
    const VImage header = VImage::new_from_file(files[i]);
    const int long_side = std::max(header.width(), header.height());
    int shrink = 1;
    while (shrink < 8 && long_side / (shrink * 2) >= box) shrink *= 2;
    const VImage image = VImage::new_from_file(
        files[i], VImage::option()->set("shrink", shrink)->set("access", VIPS_ACCESS_SEQUENTIAL));
    sum += image.avg();
  }
  std::printf("decoded %d images (checksum %.1f)\n", count, sum);
  return 0;
}

int CompareSsim(const char* original, const char* test) {
  const VImage candidate = VImage::new_from_file(test);
  const VImage reference = pixfleet::FullQualityReference(VImage::new_from_file(original),
                                                          candidate.width(), candidate.height());
  std::printf("%.4f\n", pixfleet::LumaSsim(reference, candidate));
  return 0;
}

int Gigapixel(const char* photo, int size, const char* jpeg_out, const char* tiff_out) {
  const VImage source = VImage::new_from_file(photo).colourspace(VIPS_INTERPRETATION_sRGB);
  const VImage rgb = source.extract_band(0, VImage::option()->set("n", 3));
  const VImage enlarged =
      rgb.resize(static_cast<double>(size) / rgb.width(),
                 VImage::option()->set("vscale", static_cast<double>(size) / rgb.height()));
  const VImage noise = VImage::gaussnoise(size, size, VImage::option()->set("sigma", 12.0));
  const VImage noisy = (enlarged + noise).cast(VIPS_FORMAT_UCHAR);
  noisy.jpegsave(jpeg_out, VImage::option()->set("Q", 85));
  VImage::new_from_file(jpeg_out, VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL))
      .tiffsave(tiff_out, VImage::option()
                              ->set("tile", true)
                              ->set("compression", VIPS_FOREIGN_TIFF_COMPRESSION_JPEG)
                              ->set("Q", 85));
  return 0;
}

int Usage() {
  std::fprintf(stderr,
               "usage: pixfleet-bench-image decode BOX FILE... | ssim ORIGINAL TEST | "
               "gigapixel PHOTO SIZE OUT.jpg OUT.tif\n");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (VIPS_INIT(argv[0]) != 0) {
    std::fprintf(stderr, "pixfleet-bench-image: libvips would not start\n");
    return 1;
  }
  vips_cache_set_max(0);
  const std::string mode = argc > 1 ? argv[1] : "";
  try {
    if (mode == "decode" && argc > 3) return Decode(std::atoi(argv[2]), argc - 3, argv + 3);
    if (mode == "ssim" && argc == 4) return CompareSsim(argv[2], argv[3]);
    if (mode == "gigapixel" && argc == 6) {
      return Gigapixel(argv[2], std::atoi(argv[3]), argv[4], argv[5]);
    }
  } catch (const vips::VError& error) {
    std::fprintf(stderr, "pixfleet-bench-image: %s\n", error.what());
    return 1;
  }
  return Usage();
}
