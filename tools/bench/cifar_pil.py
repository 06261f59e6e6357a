"""What the Python bench references share: CIFAR-10 read from its binary files into the uint8 HWC
arrays torchvision's CIFAR10 dataset holds, and a dataset that sends each image through PIL and a
torchvision transform, as the official codes' data loaders do."""
import os

import numpy as np
from PIL import Image
from torch.utils.data import Dataset


def cifar10_folder(root):
    """The folder of CIFAR-10's binary files, found as wei-run finds data.root's
    (src/data/cifar_binary.cpp, resolve_cifar_dir): root itself when it holds them, else
    root/cifar-10-batches-bin/. The bench scripts pass the same --data folder to both."""
    if os.path.exists(os.path.join(root, "test_batch.bin")):
        return root
    folder = os.path.join(root, "cifar-10-batches-bin")
    if os.path.isdir(folder):
        return folder
    raise SystemExit(f"{root}: no CIFAR-10 binary files here (expected test_batch.bin in it or in cifar-10-batches-bin/)")


def read_cifar10(root, train):
    """(images uint8 [N, 32, 32, 3], labels int64 [N]) from cifar10_folder(root)."""
    folder = cifar10_folder(root)
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] if train else ["test_batch.bin"]
    records = np.concatenate([np.fromfile(os.path.join(folder, n), dtype=np.uint8).reshape(-1, 3073) for n in names])
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy()  # HWC, as torchvision keeps them
    return images, records[:, 0].astype(np.int64)


class ImageSet(Dataset):
    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.transform(Image.fromarray(self.images[i])), self.labels[i]
