#!/usr/bin/python3
"""The Python PyTorch baseline that scripts/bench_imbalanced_cifar.sh times wei-run against, and a
check of wei-run's LDAM-DRW numbers on the same data.

It follows the official LDAM-DRW implementation (github.com/kaidic/LDAM-DRW, cifar_train.py): the
n_i = floor(5000 * 0.01^(i/9)) training images of each class drawn as its imbalance_cifar.py draws
them (np.random.seed(seed), then per class a shuffle of its indices and the first n_i), a
torchvision-style dataset holding uint8 HWC images that go through PIL per image (RandomCrop(32, padding=4),
RandomHorizontalFlip, ToTensor, Normalize), a torch DataLoader with worker processes, ResNet-32 with
the cosine ("normed") last layer, the LDAM loss (s = 30, largest margin 0.5) with deferred
re-weighting from epoch 160 (beta 0.9999), SGD 0.1 with momentum 0.9 and weight decay 2e-4, 5 warm-up
epochs and x0.01 at epochs 160 and 180, all in fp32 NCHW; evaluation on the test set in batches of
100 under no_grad after every epoch. Written for this project, not copied.

Usage: ldam_reference.py CIFAR_ROOT [--threads N] [--workers N] [--epochs N] [--batch N] [--seed S]
                         [--eval-from E]
CIFAR_ROOT is wei-run's data.root: the folder holding cifar-10-batches-bin/ (the binary format), or
that folder itself. --epochs 200 is the full recipe; fewer epochs run its beginning (the bench times
epoch 1). Prints one line per epoch:
  "ref epoch E threads T workers W batch B: epoch S s (train S s, eval S s on N images), I train img/s, test error P%"
and at the end "ref final test error P%, best P% at epoch E". --eval-from E skips the test set before
epoch E (those lines say "not evaluated"): the full recipe's best epoch comes after the first lr drop
at 160, so --eval-from 150 saves about a tenth of a 200-epoch run.
"""
import argparse
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision import transforms

from cifar_pil import ImageSet, read_cifar10

MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)


def long_tailed_subset(labels, n_max, ratio, classes, seed):
    """n_c images of each class c, chosen as the official code chooses them: numpy seeded once, then
    for each class in turn its indices (file order) shuffled and the first n_c kept."""
    counts = [int(n_max * (1.0 / ratio) ** (i / (classes - 1))) for i in range(classes)]
    np.random.seed(seed)
    keep = []
    for c, n in enumerate(counts):
        idx = np.flatnonzero(labels == c)
        np.random.shuffle(idx)
        keep.append(idx[:n])
    return np.concatenate(keep), counts


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.pad = cout // 4 if stride != 1 or cin != cout else 0

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        shortcut = x if self.pad == 0 else F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad))
        return F.relu(out + shortcut)


class CosineLinear(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(cin, cout).uniform_(-1, 1).renorm_(2, 1, 1e-5).mul_(1e5))

    def forward(self, x):
        return F.normalize(x, dim=1).mm(F.normalize(self.weight, dim=0))


class ResNet32(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            for b in range(5):
                layers.append(Block(cin, cout, stride if b == 0 else 1))
                cin = cout
        self.layers = nn.Sequential(*layers)
        self.linear = CosineLinear(64, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)

    def forward(self, x):
        out = self.layers(F.relu(self.bn1(self.conv1(x))))
        return self.linear(F.adaptive_avg_pool2d(out, 1).flatten(1))


def ldam_loss(logits, target, margins, weight, scale=30.0):
    shifted = logits - F.one_hot(target, logits.size(1)).float() * margins[target].unsqueeze(1)
    return F.cross_entropy(scale * shifted, target, weight=weight)


def learning_rate(epoch):
    """The official schedule; epoch counts from 1."""
    if epoch <= 5:
        return 0.1 * epoch / 5
    return 0.1 * (1e-4 if epoch > 180 else 1e-2 if epoch > 160 else 1.0)


def class_weights(counts, epoch):
    """Deferred re-weighting: uniform before epoch 161, class-balanced (beta 0.9999) after."""
    beta = 0.9999 if epoch > 160 else 0.0
    w = (1.0 - beta) / (1.0 - np.power(beta, np.array(counts, dtype=np.float64)))
    return torch.tensor(w / w.sum() * len(counts), dtype=torch.float)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval-from", type=int, default=1,
                        help="first epoch (1-based) evaluated on the test set; the earlier ones skip it")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    train_x, train_y = read_cifar10(args.root, True)
    test_x, test_y = read_cifar10(args.root, False)
    keep, counts = long_tailed_subset(train_y, 5000, 100.0, 10, args.seed)
    normalize = [transforms.ToTensor(), transforms.Normalize(MEAN, STD)]
    augment = transforms.Compose([transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip()] + normalize)
    train_loader = DataLoader(ImageSet(train_x[keep], train_y[keep], augment), batch_size=args.batch, shuffle=True,
                              num_workers=args.workers, persistent_workers=args.workers > 0)
    test_loader = DataLoader(ImageSet(test_x, test_y, transforms.Compose(normalize)), batch_size=100,
                             num_workers=args.workers, persistent_workers=args.workers > 0)

    margins = torch.tensor(counts, dtype=torch.float).pow(-0.25)
    margins *= 0.5 / margins.max()
    model = ResNet32(10)
    sgd = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=2e-4)
    best, error = (100.0, 0), None
    for epoch in range(1, args.epochs + 1):
        for group in sgd.param_groups:
            group["lr"] = learning_rate(epoch)
        weight = class_weights(counts, epoch)
        began = time.perf_counter()
        model.train()
        seen = 0
        for x, y in train_loader:
            loss = ldam_loss(model(x), y, margins, weight)
            sgd.zero_grad()
            loss.backward()
            sgd.step()
            seen += len(y)
            loss.item()  # the reference logs the running loss every batch
        train_seconds = time.perf_counter() - began
        if epoch < args.eval_from:
            print(f"ref epoch {epoch}: train {train_seconds:.2f} s, not evaluated", flush=True)
            continue
        model.eval()
        correct = 0
        with torch.no_grad():
            for x, y in test_loader:
                correct += (model(x).argmax(1) == y).sum().item()
        epoch_seconds = time.perf_counter() - began
        error = 100.0 * (1 - correct / len(test_y))
        best = min(best, (error, epoch))
        print(f"ref epoch {epoch} threads {args.threads} workers {args.workers} batch {args.batch}: "
              f"epoch {epoch_seconds:.2f} s (train {train_seconds:.2f} s, eval {epoch_seconds - train_seconds:.2f} s "
              f"on {len(test_y)} images), {seen / train_seconds:.0f} train img/s, test error {error:.2f}%", flush=True)
    if error is not None:  # None when every epoch came before --eval-from
        print(f"ref final test error {error:.2f}%, best {best[0]:.2f}% at epoch {best[1]}", flush=True)


if __name__ == "__main__":
    main()
