#!/usr/bin/python3
"""The encoders alone at std3's settings: a floor under the work after the decode.

Usage: encoders_alone.py OUTPUTS_DIR
OUTPUTS_DIR holds <name>/{large.jpg,small.webp,square.jpg} as `pixfleet run` wrote them. Their
pixels are decoded once, outside the timing; then each is encoded again as std3 asks (large:
JPEG quality 82, chroma 4:2:0; small: WebP quality 80 at libwebp's standard method 4; square:
JPEG quality 80) through Pillow, which calls the same libjpeg-turbo and libwebp as pixfleet.
The JPEGs take libjpeg's stock Huffman tables, the cheapest encode there is (pixfleet fits its
tables to a sample of the blocks, which costs more): so the sum is less than any std3 engine can
spend after its decode, whatever it does about resizing and analyses.
Prints "<images> <seconds per image for large> <small> <square> <total>", CPU seconds, the
minimum of 5 passes.
"""
import glob
import io
import os
import sys
import time

from PIL import Image

SETTINGS = {
    "large.jpg": dict(format="JPEG", quality=82, subsampling=2, optimize=False),
    "small.webp": dict(format="WEBP", quality=80, method=4),
    "square.jpg": dict(format="JPEG", quality=80, subsampling=2, optimize=False),
}


def main():
    root = sys.argv[1]
    names = sorted(os.path.basename(os.path.dirname(p)) for p in glob.glob(f"{root}/*/large.jpg"))
    if not names:
        sys.exit(f"encoders_alone.py: no outputs under {root}")
    seconds = {}
    for kind, settings in SETTINGS.items():
        images = []
        for name in names:
            with Image.open(os.path.join(root, name, kind)) as image:
                images.append(image.convert("RGB"))
        best = float("inf")
        for _ in range(5):
            start = time.process_time()
            for image in images:
                image.save(io.BytesIO(), **settings)
            best = min(best, time.process_time() - start)
        seconds[kind] = best / len(names)
    total = sum(seconds.values())
    print(len(names), *(f"{seconds[k]:.5f}" for k in SETTINGS), f"{total:.5f}")


if __name__ == "__main__":
    main()
