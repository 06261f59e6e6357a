"""What the Python bench references share: CIFAR-10 read from its binary files into the uint8 HWC
arrays torchvision's CIFAR10 dataset holds, and a dataset that sends each image through PIL and a
torchvision transform, as the official codes' data loaders do."""
import os

import numpy as np
from PIL import Image
from torch.utils.data import Dataset


def read_cifar10(root, train):
    """(images uint8 [N, 32, 32, 3], labels int64 [N]) from root/cifar-10-batches-bin/."""
    folder = os.path.join(root, "cifar-10-batches-bin")
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
