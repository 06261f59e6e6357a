"""wei-run's seeded CIFAR subsets (data.train_size, data.test_size), drawn in Python exactly as
src/data/cifar_sets.cpp draws them, so that the official-recipe drivers train and test on the same
images as the wei-run run of the same seed: a torch CPU generator seeded with
derive_seed(seed, "train-subset") (or "test-subset"; src/base/seeding.cpp: FNV-1a of the stream name,
then splitmix64), randperm(n), the first `size`, sorted (src/data/subsets.cpp). Debian's python3-torch
and wei-run share one libtorch, so randperm gives the same permutation for the same seed."""
import torch

MASK = (1 << 64) - 1


def _splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def derive_seed(seed, stream):
    """src/base/seeding.cpp's derive_seed: one independent seed per named stream."""
    h = 0xCBF29CE484222325
    for byte in stream.encode():
        h = ((h ^ byte) * 0x100000001B3) & MASK
    return _splitmix64(_splitmix64(seed & MASK) ^ h)


def wei_subset(n, size, seed, stream):
    """The sorted indices wei-run keeps of n examples for data.train_size / data.test_size = size
    (stream "train-subset" or "test-subset"); all n when size is 0 or n."""
    if size <= 0 or size >= n:
        return torch.arange(n).numpy()
    gen = torch.Generator().manual_seed(derive_seed(seed, stream))
    return torch.sort(torch.randperm(n, generator=gen)[:size])[0].numpy()
