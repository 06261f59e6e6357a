#!/usr/bin/python3
"""The Python PyTorch baseline that scripts/bench_all_layer_margin.sh times wei-run's
all_layer_margin trainer against: one train epoch of plain SGD or of all-layer margin optimization
(AMO) as the official code runs them (cwein3/all-layer-margin-opt, train_cifar.py with its README's
flags; the AMO step of update_loss_util.py adv_update_full).

What it does, as the official code: a torchvision-style dataset of uint8 HWC images that go through
PIL per image (RandomCrop(32, padding=4, padding_mode="reflect"), RandomHorizontalFlip, ToTensor,
Normalize((125.3, 123.0, 113.9)/255, (63.0, 62.1, 66.7)/255)), a DataLoader with worker processes,
the pre-activation WideResNet with a BatchNorm after the stem and a 1x1 shortcut convolution opening
each stage, SGD 0.1 with Nesterov momentum 0.9 and weight decay 5e-4. AMO: a forward pass creating a
zero perturbation after every residual block's convolutions (out + ||out_b|| * delta_b), one SGD
step of lr 0.01 on the deltas ascending the cross-entropy (the backward also fills the parameters'
gradients, which the next zero_grad discards, as in the official code), then the optimizer's step on
the cross-entropy of a forward pass with the deltas detached. All in fp32 NCHW. Written for this
project, not copied.

Usage: amo_reference.py CIFAR_ROOT --method sgd|amo [--depth D] [--widen K] [--images N] [--threads N]
                        [--workers N] [--batch B] [--seed S]
CIFAR_ROOT is wei-run's data.root: the folder holding cifar-10-batches-bin/, or that folder itself.
--images N keeps a seeded random subset of the training set.
Prints one line: "ref METHOD WRN-D-K threads T workers W batch B: train S s on N images, I img/s".
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

MEAN = tuple(v / 255 for v in (125.3, 123.0, 113.9))
STD = tuple(v / 255 for v in (63.0, 62.1, 66.7))


def perturb(out, delta):
    return out + out.flatten(1).norm(dim=1)[:, None, None, None] * delta


class PreActBlock(nn.Module):
    def __init__(self, cin, cout, stride, shortcut_conv):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = nn.Conv2d(cin, cout, 1, stride, 0, bias=False) if shortcut_conv else None

    def forward(self, x, deltas):
        """deltas: None (plain pass), [] (create zero deltas, appended) or the two of this block."""
        activated = F.relu(self.bn1(x))
        out = self.conv1(activated)
        out = self._site(out, deltas, 0)
        out = self.conv2(F.relu(self.bn2(out)))
        out = self._site(out, deltas, 1)
        return out + (self.shortcut(activated) if self.shortcut is not None else x)

    @staticmethod
    def _site(out, deltas, k):
        if deltas is None:
            return out
        if len(deltas) <= k:
            deltas.append(torch.zeros_like(out, requires_grad=True))
        return perturb(out, deltas[k])


class WideResNet(nn.Module):
    def __init__(self, depth, widen, classes=10):
        super().__init__()
        n = (depth - 4) // 6
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for stage, width in enumerate((16 * widen, 32 * widen, 64 * widen)):
            for b in range(n):
                blocks.append(PreActBlock(cin, width, 2 if b == 0 and stage > 0 else 1, b == 0))
                cin = width
        self.blocks = nn.ModuleList(blocks)
        self.bn2 = nn.BatchNorm2d(cin)
        self.fc = nn.Linear(cin, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.data.normal_(0, (2.0 / (m.kernel_size[0] * m.kernel_size[1] * m.out_channels)) ** 0.5)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                m.bias.data.zero_()

    def forward(self, x, deltas=None):
        """deltas: None, [] (zero deltas created and appended, in site order) or all of them."""
        out = F.relu(self.bn1(self.conv1(x)))
        creating = deltas is not None and len(deltas) == 0
        for i, block in enumerate(self.blocks):
            if deltas is None:
                out = block(out, None)
            elif creating:
                mine = []
                out = block(out, mine)
                deltas.extend(mine)
            else:
                out = block(out, deltas[2 * i:2 * i + 2])
        return self.fc(F.adaptive_avg_pool2d(F.relu(self.bn2(out)), 1).flatten(1))


def amo_step(model, optimizer, x, y, inner_lr=0.01, inner_steps=1):
    """(loss, clean logits, perturbed logits), as update_step returns them; logits detached."""
    deltas = []
    logits = model(x, deltas)
    clean = logits.detach()
    delta_opt = torch.optim.SGD(deltas, lr=inner_lr)
    for step in range(inner_steps):
        if step > 0:
            logits = model(x, deltas)
        loss = -F.cross_entropy(logits, y)
        delta_opt.zero_grad()
        loss.backward()
        delta_opt.step()
    fixed = [d.detach() for d in deltas]
    perturbed = model(x, fixed)
    loss = F.cross_entropy(perturbed, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss, clean, perturbed.detach()


def sgd_step(model, optimizer, x, y):
    """(loss, logits, None), as update_step returns them; logits detached."""
    logits = model(x)
    loss = F.cross_entropy(logits, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss, logits.detach(), None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("--method", choices=("sgd", "amo"), required=True)
    parser.add_argument("--depth", type=int, default=16)
    parser.add_argument("--widen", type=int, default=4)
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    images, labels = read_cifar10(args.root, train=True)
    keep = np.random.RandomState(args.seed).permutation(len(labels))[:args.images]
    augment = transforms.Compose([transforms.RandomCrop(32, padding=4, padding_mode="reflect"),
                                  transforms.RandomHorizontalFlip(), transforms.ToTensor(),
                                  transforms.Normalize(MEAN, STD)])
    loader = DataLoader(ImageSet(images[keep], labels[keep], augment), batch_size=args.batch, shuffle=True,
                        num_workers=args.workers)
    model = WideResNet(args.depth, args.widen)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    step = amo_step if args.method == "amo" else sgd_step
    model.train()
    began = time.perf_counter()
    seen = 0
    for x, y in loader:
        step(model, optimizer, x, y)[0].item()  # the official loop logs the loss every batch
        seen += len(y)
    seconds = time.perf_counter() - began
    print(f"ref {args.method} WRN-{args.depth}-{args.widen} threads {args.threads} workers {args.workers} "
          f"batch {args.batch}: train {seconds:.2f} s on {seen} images, {seen / seconds:.0f} img/s", flush=True)


if __name__ == "__main__":
    main()
