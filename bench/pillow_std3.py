#!/usr/bin/python3
"""std3 with Pillow, as a careful Pillow user writes it: the peer bench/engine.sh measures.

Usage: pillow_std3.py OUT_DIR IMAGE...
For each image: one JPEG draft decode (DCT scaling to the smallest power-of-two size still at
least 1600 px on the long side, as the `large` output needs), upright by its EXIF orientation,
sRGB; then recipes/std3.yaml's outputs from that one decoded image with LANCZOS:
  large  fit inside 1600x1600, JPEG quality 82, no metadata
  small  fit inside 512x512, WebP quality 80
  square 256x256 cover (centre crop: Pillow has no attention crop), JPEG quality 80
and the analyses: width, height, format, orientation, mean colour and the 64-bit dHash (9x8 grey).
Writes OUT_DIR/<name>/{large.jpg,small.webp,square.jpg}; prints one line per image.
"""
import os
import sys

from PIL import Image, ImageOps, ImageStat

LARGE, SMALL, SQUARE = 1600, 512, 256


def fit_inside(size, box):
    width, height = size
    scale = min(box / width, box / height, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


def dhash(image):
    grey = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = list(grey.getdata())
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    return bits


def process(path, out_dir):
    with Image.open(path) as image:
        stored = image.size
        orientation = image.getexif().get(0x0112, 1)
        fmt = image.format
        # draft() takes the smallest DCT scale whose result still covers the requested box.
        image.draft("RGB", fit_inside(stored, LARGE))
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGB")
    out = os.path.join(out_dir, os.path.splitext(os.path.basename(path))[0])
    os.makedirs(out, exist_ok=True)
    large = image.resize(fit_inside(image.size, LARGE), Image.Resampling.LANCZOS)
    large.save(os.path.join(out, "large.jpg"), "JPEG", quality=82)
    small = image.resize(fit_inside(image.size, SMALL), Image.Resampling.LANCZOS)
    small.save(os.path.join(out, "small.webp"), "WEBP", quality=80)
    square = ImageOps.fit(image, (SQUARE, SQUARE), Image.Resampling.LANCZOS)
    square.save(os.path.join(out, "square.jpg"), "JPEG", quality=80)
    mean = ImageStat.Stat(image).mean
    return "%s %dx%d %s o=%d mean=%.0f,%.0f,%.0f dhash=%016x" % (
        os.path.basename(path), stored[0], stored[1], fmt, orientation, *mean, dhash(image))


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: pillow_std3.py OUT_DIR IMAGE...")
    for path in sys.argv[2:]:
        print(process(path, sys.argv[1]))


if __name__ == "__main__":
    main()
