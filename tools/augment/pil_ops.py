#!/usr/bin/python3
"""Writes PIL's results of the RandAugment operations on seeded random 32x32 RGB images, for
tests/unit/data/image_ops_pil_test.cpp to compare wei-run's C++ operations against.

Usage: pil_ops.py OUT.bin
OUT.bin: for each case of CASES in order, the input image then PIL's output, each 3 x 32 x 32
bytes, channel-major (C, H, W). The images are drawn from numpy's default_rng(seed=7).
"""
import sys

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

FILL = (128, 128, 128)


def affine(data):
    return lambda im: im.transform(im.size, Image.AFFINE, data, Image.NEAREST, fillcolor=FILL)


# Keep in step with the C++ test: name, operation.
CASES = [
    ("autocontrast", ImageOps.autocontrast),
    ("equalize", ImageOps.equalize),
    ("posterize2", lambda im: ImageOps.posterize(im, 2)),
    ("solarize100", lambda im: ImageOps.solarize(im, 100)),
    ("color0.3", lambda im: ImageEnhance.Color(im).enhance(0.3)),
    ("color1.7", lambda im: ImageEnhance.Color(im).enhance(1.7)),
    ("contrast0.3", lambda im: ImageEnhance.Contrast(im).enhance(0.3)),
    ("contrast1.7", lambda im: ImageEnhance.Contrast(im).enhance(1.7)),
    ("brightness0.3", lambda im: ImageEnhance.Brightness(im).enhance(0.3)),
    ("brightness1.7", lambda im: ImageEnhance.Brightness(im).enhance(1.7)),
    ("sharpness0.3", lambda im: ImageEnhance.Sharpness(im).enhance(0.3)),
    ("sharpness1.7", lambda im: ImageEnhance.Sharpness(im).enhance(1.7)),
    ("rotate17", lambda im: im.rotate(17, fillcolor=FILL)),
    ("rotate-30", lambda im: im.rotate(-30, fillcolor=FILL)),
    ("shearx0.21", affine((1, 0.21, 0, 0, 1, 0))),
    ("sheary-0.3", affine((1, 0, 0, -0.3, 1, 0))),
    ("translatex3", affine((1, 0, 3, 0, 1, 0))),
    ("translatey-2", affine((1, 0, 0, 0, 1, -2))),
]


def main():
    rng = np.random.default_rng(7)
    with open(sys.argv[1], "wb") as out:
        for _, op in CASES:
            # Smooth-ish images (a random low-resolution picture upsampled, plus noise), so that
            # histograms and blends see realistic values rather than white noise alone.
            low = rng.integers(0, 256, size=(8, 8, 3)).astype(np.float64)
            picture = np.kron(low, np.ones((4, 4, 1))) + rng.normal(0, 12, size=(32, 32, 3))
            array = np.clip(picture, 0, 255).astype(np.uint8)
            result = np.asarray(op(Image.fromarray(array, "RGB")).convert("RGB"))
            out.write(array.transpose(2, 0, 1).tobytes())
            out.write(result.transpose(2, 0, 1).tobytes())


if __name__ == "__main__":
    main()
