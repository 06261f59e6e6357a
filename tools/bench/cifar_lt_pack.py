#!/usr/bin/env python3
"""Carries CIFAR-10-LT to a machine the full dataset cannot travel to (the device machine takes a
64 MiB working tree; CIFAR-10's binary files are 184 MB).

  cifar_lt_pack.py pack CIFAR_ROOT OUT.zip [--ratio 100]
      reads CIFAR_ROOT/cifar-10-batches-bin/ and writes OUT.zip: the first n_c training images of
      each class c in file order (n_c = floor(5000 * ratio^(-c/9)), CIFAR-10-LT's counts) and all
      10,000 test images, as JPEGs of quality 95 without chroma subsampling (pixels within a few
      levels of the originals; the shared CIFAR-10 went through JPEG once already);
  cifar_lt_pack.py unpack OUT.zip DEST
      writes DEST/cifar-10-batches-bin/ in the standard binary format: data_batch_1..5.bin sharing
      the kept training images, test_batch.bin.

imbalanced_cifar with data.root=DEST then keeps every training image (its per-class subset is the
whole of each class), so a run sees the same class counts, test set and pixels as on the full data;
only which n_c images of a class it trains on differs from a run on the full files.
Needs PIL (Debian's python3-pil here; Pillow there).
"""
import io
import os
import sys
import zipfile

from PIL import Image

RECORD = 3073  # 1 label byte + 3 x 32 x 32 pixel bytes (red, green, blue planes)


def read_records(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) % RECORD:
        sys.exit(f"{path}: {len(data)} bytes is not a whole number of {RECORD}-byte records")
    return [data[i:i + RECORD] for i in range(0, len(data), RECORD)]


def to_jpeg(record):
    planes = [Image.frombytes("L", (32, 32), record[1 + k * 1024:1 + (k + 1) * 1024]) for k in range(3)]
    out = io.BytesIO()
    Image.merge("RGB", planes).save(out, format="JPEG", quality=95, subsampling=0)
    return out.getvalue()


def from_jpeg(label, data):
    r, g, b = Image.open(io.BytesIO(data)).convert("RGB").split()
    return bytes([label]) + r.tobytes() + g.tobytes() + b.tobytes()


def pack(root, out, ratio):
    folder = os.path.join(root, "cifar-10-batches-bin")
    counts = [int(5000 * ratio ** (-c / 9)) for c in range(10)]
    taken = [0] * 10
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for b in range(1, 6):
            for i, rec in enumerate(read_records(os.path.join(folder, f"data_batch_{b}.bin"))):
                c = rec[0]
                if taken[c] < counts[c]:
                    taken[c] += 1
                    archive.writestr(f"train/{b}_{i:05d}_{c}.jpg", to_jpeg(rec))
        for i, rec in enumerate(read_records(os.path.join(folder, "test_batch.bin"))):
            archive.writestr(f"test/{i:05d}_{rec[0]}.jpg", to_jpeg(rec))
    print(f"{out}: {sum(taken)} training images {taken}, 10000 test images, {os.path.getsize(out) >> 20} MiB")


def unpack(archive, dest):
    folder = os.path.join(dest, "cifar-10-batches-bin")
    os.makedirs(folder, exist_ok=True)
    train, test = [], []
    with zipfile.ZipFile(archive) as z:
        for name in sorted(z.namelist()):
            label = int(name.rsplit("_", 1)[1].split(".")[0])
            (train if name.startswith("train/") else test).append(from_jpeg(label, z.read(name)))
    share = (len(train) + 4) // 5
    for b in range(5):
        with open(os.path.join(folder, f"data_batch_{b + 1}.bin"), "wb") as f:
            f.write(b"".join(train[b * share:(b + 1) * share]))
    with open(os.path.join(folder, "test_batch.bin"), "wb") as f:
        f.write(b"".join(test))
    print(f"{folder}: {len(train)} training and {len(test)} test images")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "pack":
        pack(sys.argv[2], sys.argv[3], float(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[4] == "--ratio" else 100.0)
    elif len(sys.argv) == 4 and sys.argv[1] == "unpack":
        unpack(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
