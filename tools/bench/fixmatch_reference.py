#!/usr/bin/python3
"""The Python PyTorch baseline that scripts/bench_self_training.sh times wei-run's self_training
trainer (method fixmatch) against: FixMatch training steps as the reference PyTorch port runs them
(kekmodel/FixMatch-pytorch: train.py's loop, dataset/cifar.py and dataset/randaugment.py's data
pipeline, models/wideresnet.py, models/ema.py). Written for this project, not copied.

What one step does, as the port does it:
- batches: a labelled DataLoader (B images, RandomSampler, drop_last) whose images go through PIL one
  by one: RandomHorizontalFlip, RandomCrop(32, padding=4, reflect), ToTensor, Normalize(CIFAR-10
  mean, std); an unlabelled DataLoader (mu * B images) that makes two views of each image: the weak
  one (the same flip and crop) and the strong one (flip and crop, then RandAugmentMC(n=2, m=10): two
  of the 14 FixMatch operations drawn with replacement, each applied with probability 1/2 at a level
  drawn from 1..9, then Cutout of a 16-pixel gray square), both through ToTensor and Normalize;
  default collation to tensors; each loader restarted when it runs out;
- the labelled, weak and strong images concatenated, interleaved (2 mu + 1 groups) and sent through
  the network in ONE forward pass, the logits de-interleaved;
- loss: cross-entropy on the labelled images plus the strong view's cross-entropy on the weak
  view's argmax, masked where the weak view's softmax reaches 0.95, averaged over all unlabelled
  images (lambda_u = 1); backward; the three .item() reads of the port's meters;
- SGD 0.03 with Nesterov momentum 0.9, weight decay 5e-4 on the parameters whose name holds neither
  "bias" nor "bn"; the cosine schedule lr * cos(7 pi k / 16 K) stepped every step; the port's
  ModelEMA update (decay 0.999 on the parameters through the state dicts, buffers copied); zero_grad.
The network: the port's WideResNet (leaky ReLU 0.1, BatchNorm momentum 0.001, the first stage's
blocks activating before the residual, Kaiming-normal fan-out convolutions, Xavier-normal
classifier), fp32, NCHW.

Timing: the first --warmup steps are left out. "step" is the wall time of a whole step, from the end
of the previous one (batch fetch included, the port's batch_time); "data wait" is the part spent
waiting for the two loaders' next batches (the port's data_time; with workers it is what the workers
did not hide). "batch building alone" is measured before training, in this process (no workers, the
same torch threads): building the labelled, weak and strong views of a step's images and collating
them, timed over --steps batches after --warmup.

Usage: fixmatch_reference.py CIFAR_ROOT [--depth D] [--widen K] [--batch B] [--mu M] [--labels L]
                             [--steps N] [--warmup N] [--total-steps K] [--threads T] [--workers W]
                             [--seed S]
CIFAR_ROOT is wei-run's data.root: the folder holding cifar-10-batches-bin/, or that folder itself.
Prints one line: "ref fixmatch WRN-D-K threads T workers W batch B mu M: step S s, data wait D s,
batch building alone A s (N steps after W warm-up)".
"""
import argparse
import copy
import math
import os
import random
import time

import numpy as np
import PIL.ImageDraw
import PIL.ImageEnhance
import PIL.ImageOps
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader, RandomSampler
from torchvision import transforms

from cifar_pil import ImageSet, read_cifar10

MEAN = (0.4914, 0.4822, 0.4465)  # the port's cifar10_mean / cifar10_std (wei-run's defaults too)
STD = (0.2471, 0.2435, 0.2616)


# ---- RandAugmentMC: the FixMatch pool of 14 operations, levels on a 0..10 scale -----------------

def _signed(value):
    return -value if random.random() < 0.5 else value


def _scaled(level, top):
    return level * top / 10.0


AFFINE = Image.Transform.AFFINE if hasattr(Image, "Transform") else Image.AFFINE


def _affine(img, coefficients):
    return img.transform(img.size, AFFINE, coefficients)


def _enhance(kind):
    # factor = level * 0.9 / 10 + 0.05, as the port's (Brightness|Color|Contrast|Sharpness, 0.9, 0.05)
    return lambda img, level: kind(img).enhance(_scaled(level, 0.9) + 0.05)


FIXMATCH_OPS = (
    lambda img, level: PIL.ImageOps.autocontrast(img),
    _enhance(PIL.ImageEnhance.Brightness),
    _enhance(PIL.ImageEnhance.Color),
    _enhance(PIL.ImageEnhance.Contrast),
    lambda img, level: PIL.ImageOps.equalize(img),
    lambda img, level: img,  # identity
    lambda img, level: PIL.ImageOps.posterize(img, int(_scaled(level, 4)) + 4),
    lambda img, level: img.rotate(_signed(int(_scaled(level, 30)))),
    _enhance(PIL.ImageEnhance.Sharpness),
    lambda img, level: _affine(img, (1, _signed(_scaled(level, 0.3)), 0, 0, 1, 0)),  # shear x
    lambda img, level: _affine(img, (1, 0, 0, _signed(_scaled(level, 0.3)), 1, 0)),  # shear y
    lambda img, level: PIL.ImageOps.solarize(img, 256 - int(_scaled(level, 256))),
    lambda img, level: _affine(img, (1, 0, int(_signed(_scaled(level, 0.3)) * img.size[0]), 0, 1, 0)),
    lambda img, level: _affine(img, (1, 0, 0, 0, 1, int(_signed(_scaled(level, 0.3)) * img.size[1]))),
)


def cutout(img, side):
    """A gray square of `side` pixels centred at a uniformly drawn point, clipped to the image."""
    width, height = img.size
    left = int(max(0, np.random.uniform(0, width) - side / 2.0))
    top = int(max(0, np.random.uniform(0, height) - side / 2.0))
    box = (left, top, int(min(width, left + side)), int(min(height, top + side)))
    img = img.copy()
    PIL.ImageDraw.Draw(img).rectangle(box, (127, 127, 127))
    return img


class RandAugmentMC:
    def __init__(self, n=2, m=10, cutout_side=16):
        self.n, self.m, self.cutout_side = n, m, cutout_side

    def __call__(self, img):
        for op in random.choices(FIXMATCH_OPS, k=self.n):
            level = np.random.randint(1, self.m)
            if random.random() < 0.5:
                img = op(img, level)
        return cutout(img, self.cutout_side)


def weak_augment():
    return [transforms.RandomHorizontalFlip(), transforms.RandomCrop(32, padding=4, padding_mode="reflect")]


class WeakAndStrong:
    """The unlabelled images' transform: (weak view, strong view), both normalized tensors."""

    def __init__(self):
        self.weak = transforms.Compose(weak_augment())
        self.strong = transforms.Compose(weak_augment() + [RandAugmentMC(2, 10)])
        self.finish = transforms.Compose([transforms.ToTensor(), transforms.Normalize(MEAN, STD)])

    def __call__(self, img):
        return self.finish(self.weak(img)), self.finish(self.strong(img))


# ---- the port's WideResNet -----------------------------------------------------------------------

class Block(nn.Module):
    def __init__(self, cin, cout, stride, activate_before_residual):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin, momentum=0.001)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout, momentum=0.001)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.same = cin == cout
        self.shortcut = None if self.same else nn.Conv2d(cin, cout, 1, stride, 0, bias=False)
        self.activate_before_residual = activate_before_residual

    def forward(self, x):
        activated = F.leaky_relu(self.bn1(x), 0.1, inplace=True)
        if not self.same and self.activate_before_residual:
            x = activated  # the shortcut then reads the activated input
        out = self.conv1(activated if self.same else x)
        out = self.conv2(F.leaky_relu(self.bn2(out), 0.1, inplace=True))
        return (x if self.same else self.shortcut(x)) + out


class WideResNet(nn.Module):
    def __init__(self, depth=28, widen=2, classes=10):
        super().__init__()
        assert (depth - 4) % 6 == 0
        n = (depth - 4) // 6
        widths = (16 * widen, 32 * widen, 64 * widen)
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        stages, cin = [], 16
        for stage, width in enumerate(widths):
            blocks = []
            for b in range(n):
                blocks.append(Block(cin, width, 2 if (b == 0 and stage > 0) else 1, stage == 0))
                cin = width
            stages.append(nn.Sequential(*blocks))
        self.block1, self.block2, self.block3 = stages
        self.bn1 = nn.BatchNorm2d(cin, momentum=0.001)
        self.fc = nn.Linear(cin, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="leaky_relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.xavier_normal_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        out = self.block3(self.block2(self.block1(self.conv1(x))))
        out = F.leaky_relu(self.bn1(out), 0.1, inplace=True)
        return self.fc(F.adaptive_avg_pool2d(out, 1).flatten(1))


# ---- the port's training pieces --------------------------------------------------------------------

class WeightEMA:
    """The port's ModelEMA: a deep copy in eval mode; each update, through the two state dicts,
    ema = decay * ema + (1 - decay) * model for the parameters, and the buffers copied."""

    def __init__(self, model, decay):
        self.ema = copy.deepcopy(model).eval()
        self.decay = decay
        self.param_names = [name for name, _ in self.ema.named_parameters()]
        self.buffer_names = [name for name, _ in self.ema.named_buffers()]
        for p in self.ema.parameters():
            p.requires_grad_(False)

    def update(self, model):
        with torch.no_grad():
            current, averaged = model.state_dict(), self.ema.state_dict()
            for name in self.param_names:
                averaged[name].copy_(averaged[name] * self.decay + (1.0 - self.decay) * current[name].detach())
            for name in self.buffer_names:
                averaged[name].copy_(current[name])


def interleave(x, groups):
    shape = list(x.shape)
    return x.reshape([-1, groups] + shape[1:]).transpose(0, 1).reshape([-1] + shape[1:])


def de_interleave(x, groups):
    shape = list(x.shape)
    return x.reshape([groups, -1] + shape[1:]).transpose(0, 1).reshape([-1] + shape[1:])


class Endless:
    """next() over a DataLoader, restarting it when it runs out, as the port's loop does."""

    def __init__(self, loader):
        self.loader, self.it = loader, iter(loader)

    def next(self):
        try:
            return next(self.it)
        except StopIteration:
            self.it = iter(self.loader)
            return next(self.it)


def balanced_labels(targets, count, rng, classes=10):
    per_class = count // classes
    return np.concatenate([rng.choice(np.where(targets == c)[0], per_class, replace=False) for c in range(classes)])


def make_loaders(images, targets, labelled, batch, mu, workers):
    labelled_set = ImageSet(images[labelled], targets[labelled],
                            transforms.Compose(weak_augment() + [transforms.ToTensor(),
                                                                 transforms.Normalize(MEAN, STD)]))
    unlabelled_set = ImageSet(images, targets, WeakAndStrong())  # every training image, as the port
    return (Endless(DataLoader(labelled_set, sampler=RandomSampler(labelled_set), batch_size=batch,
                               num_workers=workers, drop_last=True)),
            Endless(DataLoader(unlabelled_set, sampler=RandomSampler(unlabelled_set), batch_size=batch * mu,
                               num_workers=workers, drop_last=True)))


def fetch(labelled_it, unlabelled_it):
    inputs_x, targets_x = labelled_it.next()
    (inputs_w, inputs_s), _ = unlabelled_it.next()
    return inputs_x, targets_x, inputs_w, inputs_s


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("--depth", type=int, default=16)
    parser.add_argument("--widen", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--mu", type=int, default=3)
    parser.add_argument("--labels", type=int, default=4000)
    parser.add_argument("--steps", type=int, default=32, help="timed steps")
    parser.add_argument("--warmup", type=int, default=4, help="untimed steps first")
    parser.add_argument("--total-steps", type=int, default=2048, help="K of the cosine schedule")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)

    images, targets = read_cifar10(args.root, train=True)
    labelled = balanced_labels(targets, args.labels, np.random.RandomState(args.seed))

    # Batch building alone, in this process: the views of the labelled, weak and strong images, collated.
    labelled_it, unlabelled_it = make_loaders(images, targets, labelled, args.batch, args.mu, 0)
    building = 0.0
    for k in range(args.warmup + args.steps):
        began = time.perf_counter()
        fetch(labelled_it, unlabelled_it)
        if k >= args.warmup:
            building += time.perf_counter() - began

    model = WideResNet(args.depth, args.widen)
    no_decay = ("bias", "bn")
    groups = [{"params": [p for n, p in model.named_parameters() if not any(s in n for s in no_decay)],
               "weight_decay": 5e-4},
              {"params": [p for n, p in model.named_parameters() if any(s in n for s in no_decay)],
               "weight_decay": 0.0}]
    optimizer = torch.optim.SGD(groups, lr=0.03, momentum=0.9, nesterov=True)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda k: max(0.0, math.cos(7.0 * math.pi * k / (16.0 * args.total_steps))))
    ema = WeightEMA(model, 0.999)
    groups_in_pass = 2 * args.mu + 1

    labelled_it, unlabelled_it = make_loaders(images, targets, labelled, args.batch, args.mu, args.workers)
    model.train()
    model.zero_grad()
    step_seconds = wait_seconds = 0.0
    end = time.perf_counter()
    for k in range(args.warmup + args.steps):
        inputs_x, targets_x, inputs_w, inputs_s = fetch(labelled_it, unlabelled_it)
        fetched = time.perf_counter()
        batch = inputs_x.shape[0]
        logits = de_interleave(model(interleave(torch.cat((inputs_x, inputs_w, inputs_s)), groups_in_pass)),
                               groups_in_pass)
        logits_x = logits[:batch]
        logits_w, logits_s = logits[batch:].chunk(2)
        labelled_loss = F.cross_entropy(logits_x, targets_x)
        confidence, pseudo = torch.softmax(logits_w.detach(), dim=-1).max(dim=-1)
        mask = confidence.ge(0.95).float()
        unlabelled_loss = (F.cross_entropy(logits_s, pseudo, reduction="none") * mask).mean()
        loss = labelled_loss + unlabelled_loss
        loss.backward()
        loss.item(), labelled_loss.item(), unlabelled_loss.item()  # the port's meters
        optimizer.step()
        scheduler.step()
        ema.update(model)
        model.zero_grad()
        mask.mean().item()
        now = time.perf_counter()
        if k >= args.warmup:
            step_seconds += now - end
            wait_seconds += fetched - end
        end = now

    n = args.steps
    print(f"ref fixmatch WRN-{args.depth}-{args.widen} threads {args.threads} workers {args.workers} "
          f"batch {args.batch} mu {args.mu}: step {step_seconds / n:.4f} s, data wait {wait_seconds / n:.4f} s, "
          f"batch building alone {building / n:.4f} s ({n} steps after {args.warmup} warm-up)", flush=True)


if __name__ == "__main__":
    main()
