#!/usr/bin/python3
"""The Python PyTorch driver that runs the official training recipe of Li, Wei & Ma (NeurIPS 2019)'s
memorizable-patch experiment beside wei-run's large_lr_patch trainer: one run (large_lr, small_lr
or act_noise) per call, as the official code trains each of its three runs (cwein3/large-lr-code,
train_patches.py with data_util.py, train_util.py, update_loss_util.py and models/wideresnet.py).

What it does, as the official code:
- model: the official wideresnet16, pre-activation blocks with no BatchNorm after the 3x3 stem, a
  1x1 shortcut convolution only in blocks whose channel count changes (fed, like the block's first
  convolution, the activated input), BatchNorm + ReLU + 8x8 average pool + linear head; convolutions
  N(0, sqrt(2 / (k k out_channels))), BatchNorm weight 1 and bias 0, linear bias 0 (its weight keeps
  torch's default); modules are built in the official order, so the init draws the same numbers
  from the torch stream. WRN-16-10 by default (--widen). Activation noise (--act-noise 0.4): in
  training passes only, after every BatchNorm and before its ReLU (the final one included), the
  level times one N(0,1) map of shape H x W drawn on the CPU per BatchNorm and pass, broadcast over
  batch and channels (forward_noise); the level is x1e-5 from --act-noise-epoch on (step_early).
- data: the CIFAR-10 training set, no crop or flip, ToTensor + Normalize(mean (125.3, 123.0,
  113.9)/255, std (63.0, 62.1, 66.7)/255) per image (applied to the uint8 array directly: the same
  numbers as through PIL), then the patch: should_transform = U(0,1) per index drawn once from the
  global numpy stream (over all 50,000 images, then --train-size keeps its subset), an image carries
  the patch when should_transform < 0.8 (prop_augment). The patterns, from the global torch stream:
  z = 1.25 N(0,1) and zeta_c ~ U(-0.1, 0.1) per class, both 3x7x7. Every time a selected image of
  label y is drawn (every epoch; global numpy stream, in __getitem__ order): a pattern index
  randint(1), s = -1 if U > 0.5 else +1, then with U > 0.2 its centre (from int(16 - 7/2) = 12)
  becomes z + s zeta_y, else the image is zeroed and the centre becomes z + s 1.75 u zeta_y with
  u ~ U(0,1) one scalar (PatchAugmentFixed; written after normalisation, so zero is the mean pixel).
- evaluation after every epoch, each through a shuffled DataLoader of batch 128 in eval mode:
  the clean test set (all 10,000 or --test-size), the patched test set (the same test images with
  their own should_transform drawn once after the training set's, and the same transform redrawn on
  every pass, patch-only draws included) and the patch-only set (--patch-only-images, official
  1,000: zero images, a label randint(10) and the transform, all redrawn on every pass).
- training: SGD lr --lr, Nesterov momentum 0.9, weight decay 5e-4 on every parameter, batch 128,
  reshuffled every epoch, last partial batch kept; the learning rate is --lr x --anneal-factor (0.04)
  once epoch >= --anneal-epoch, epochs counted from 1 (decay_early; omit it for the fixed lr). The
  training loss and accuracy are the epoch's running means over its batches, as train_loop's.
- seeds: torch.manual_seed(seed) and np.random.seed(seed), then in the official order the patterns
  (torch), the training and test selections (numpy), the model (torch); the shuffles, the DataLoader
  base seeds and the noise continue the torch stream, the patch draws the numpy stream.
Written for this project, not copied.

Where it differs from the official code: one run per call (train_patches.py trains large_lr,
small_lr and act_noise one after another in one process, so its second and third runs start from
streams the first advanced; here the three runs of one seed share the patterns, selections and
initial weights); --train-size / --test-size subsets (the images wei-run's data.train_size / data.test_size keep
for the same seed, wei_subsets.py); CPU by default; vis_imgs (which draws from the numpy
stream before training) and the checkpoints are left out; the official picks its best epoch by the
patched test accuracy, "best" here is the clean test accuracy as in wei-run. --workers 0 (default)
draws the patch randomness in the main process; with --workers N this torch (>= 1.9) seeds numpy
in each worker from the DataLoader's base seed, so draws differ from --workers 0 but are still
fresh every epoch. (The official code ran 1 worker on a pre-1.9 torch, whose workers did not reseed
numpy: each epoch's fresh worker started from the same numpy state, so the k-th image drawn got the
same sign / patch-only choice / u every epoch, and the patch-only set had the same labels and draws
every epoch, only reshuffled.)

Where it differs from wei-run's large_lr_patch: the patched test set and the patch-only set are
redrawn at every evaluation here (wei-run draws both once from the seed), so their curves carry
sampling noise; every random choice comes from the global torch / numpy streams (wei-run derives one
stream per consumer), so the same seed gives other patterns and initial weights than wei-run's
(the --train-size / --test-size subsets are wei-run's); fp32 NCHW; eval batch 128 (wei-run 256; no effect in eval mode).

Usage: large_lr_reference.py CIFAR_ROOT [--lr LR] [--epochs E] [--anneal-epoch E] [--anneal-factor F]
                             [--act-noise STD] [--act-noise-epoch E] [--act-noise-decay G]
                             [--widen K] [--train-size N] [--test-size M] [--patch-only-images P]
                             [--seed S] [--threads T] [--workers W] [--device cpu|cuda]
                             [--precision fp32|bf16]
                             [--name NAME] [--out DIR]
CIFAR_ROOT is wei-run's data.root: the folder holding cifar-10-batches-bin/, or that folder itself.
The three runs of the CPU profile (configs/large_lr_patch/cpu_*.yaml), e.g. for seed 0:
  large_lr_reference.py ROOT --widen 1 --train-size 10000 --epochs 20 --lr 0.1 --anneal-epoch 10 --name cpu_large_lr
  large_lr_reference.py ROOT --widen 1 --train-size 10000 --epochs 20 --lr 0.004 --name cpu_small_lr
  large_lr_reference.py ROOT --widen 1 --train-size 10000 --epochs 20 --lr 0.004 --act-noise 0.4 --act-noise-epoch 10 \\
      --name cpu_act_noise
(each with --seed S --threads T --out DIR; the official GPU runs: --widen 10, all images, --epochs 60,
anneal / noise epoch 30). --act-noise-epoch defaults to --anneal-epoch (the official uses 30 for
both; its act_noise run keeps a fixed lr, hence the separate option).
Prints one line per epoch; --out DIR writes DIR/metrics.json in wei-run's schema (status "running"
after every epoch, "ok" at the end), which `wei-run summarize` and `wei-run plot` read.
"""
import argparse
import datetime
import json
import math
import os
import socket
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

from cifar_pil import read_cifar10
from precision import add_precision_argument, with_precision
from wei_subsets import wei_subset

MEAN = tuple(v / 255 for v in (125.3, 123.0, 113.9))
STD = tuple(v / 255 for v in (63.0, 62.1, 66.7))
CLASSES = 10
TRAINER = "large_lr_patch_official"


# ---- model ----------------------------------------------------------------------------------------

def with_noise(t, level):
    """t plus level times one N(0,1) map of t's H x W, broadcast over batch and channels (drawn on the
    CPU from the global torch stream, as forward_noise does); t itself when level is None."""
    if level is None:
        return t
    return t + level * torch.randn(t.size(2), t.size(3)).view(1, 1, t.size(2), t.size(3)).to(t.device)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        # Registered in the official order (bn1, conv1, bn2, conv2, shortcut): same init draws.
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = nn.Conv2d(cin, cout, 1, stride, 0, bias=False) if cin != cout else None

    def forward(self, x, noise):
        activated = F.relu(with_noise(self.bn1(x), noise))
        out = self.conv1(activated)
        out = self.conv2(F.relu(with_noise(self.bn2(out), noise)))
        return out + (x if self.shortcut is None else self.shortcut(activated))


class WideResNet16(nn.Module):
    def __init__(self, widen, classes=CLASSES, depth=16):
        super().__init__()
        assert (depth - 4) % 6 == 0
        per_stage = (depth - 4) // 6
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        stages, cin = [], 16
        for stage, width in enumerate((16 * widen, 32 * widen, 64 * widen)):
            blocks = []
            for b in range(per_stage):
                blocks.append(Block(cin, width, 2 if stage > 0 and b == 0 else 1))
                cin = width
            stages.append(nn.ModuleList(blocks))
        self.stages = nn.ModuleList(stages)
        self.bn = nn.BatchNorm2d(cin)
        self.fc = nn.Linear(cin, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.data.normal_(0, math.sqrt(2.0 / (m.kernel_size[0] * m.kernel_size[1] * m.out_channels)))
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.data.fill_(1)
                m.bias.data.zero_()
            elif isinstance(m, nn.Linear):
                m.bias.data.zero_()

    def forward(self, x, noise=None):
        """noise: None (plain pass) or the activation-noise level (training passes of act_noise runs)."""
        out = self.conv1(x)
        for blocks in self.stages:
            for block in blocks:
                out = block(out, noise)
        out = F.relu(with_noise(self.bn(out), noise))
        return self.fc(F.avg_pool2d(out, 8).flatten(1))


# ---- data -----------------------------------------------------------------------------------------

def make_patterns(size, z_scale, sep, classes=CLASSES, patterns=1):
    """(z [3, size, size], zeta [classes, patterns, 3, size, size]) from the global torch stream."""
    z = z_scale * torch.randn(3, size, size)
    zeta = torch.zeros(classes, patterns, 3, size, size).uniform_(-sep, sep)
    return z, zeta


class Patch:
    """Writes the patch into a normalised image in place, drawing from the global numpy stream;
    returns 1 (z + s zeta_y on the image) or 2 (image zeroed, z + s only_scale u zeta_y)."""

    def __init__(self, z, zeta, only_prob, only_scale):
        self.z, self.zeta = z, zeta
        self.size = zeta.size(4)
        self.start = int(16 - self.size / 2)
        self.only_prob, self.only_scale = only_prob, only_scale

    def __call__(self, img, label):
        rows = slice(self.start, self.start + self.size)
        pattern = np.random.randint(self.zeta.size(1))
        sign = -1 if np.random.random() > 0.5 else 1
        if np.random.random() > self.only_prob:
            img[:, rows, rows] = self.z + sign * self.zeta[label, pattern]
            return 1
        img[:, :, :] = 0
        img[:, rows, rows] = self.z + sign * self.only_scale * np.random.random() * self.zeta[label, pattern]
        return 2


class CifarSet(Dataset):
    """CIFAR images, normalised per draw; those with should_transform < prop get the patch.
    Items: (image, label, kind) with kind 0 clean, 1 patched, 2 patch-only."""

    def __init__(self, images, labels, should_transform=None, prop=0.8, patch=None):
        self.images, self.labels = images, labels
        self.should_transform, self.prop, self.patch = should_transform, prop, patch
        self.to_input = transforms.Compose([transforms.ToTensor(), transforms.Normalize(MEAN, STD)])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        img, label, kind = self.to_input(self.images[i]), self.labels[i], 0
        if self.patch is not None and self.should_transform[i] < self.prop:
            kind = self.patch(img, label)
        return img, label, kind


class PatchOnlySet(Dataset):
    """Zero images, each draw with a label randint(classes) and the patch transform."""

    def __init__(self, length, patch, classes=CLASSES):
        self.length, self.patch, self.classes = length, patch, classes

    def __len__(self):
        return self.length

    def __getitem__(self, i):
        img = torch.zeros(3, 32, 32)
        label = np.random.randint(self.classes)
        kind = self.patch(img, label)
        return img, label, kind


# ---- training and evaluation ----------------------------------------------------------------------

def train_epoch(model, loader, optimizer, noise, device):
    model.train()
    loss_sum = seen = correct = patched = patched_correct = patch_only = 0
    for x, y, kind in loader:
        x, y = x.to(device), y.to(device)
        logits = model(x, noise)
        loss = F.cross_entropy(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        right = logits.detach().argmax(1).eq(y).cpu()
        carries = kind > 0
        loss_sum += loss.item() * len(y)
        seen += len(y)
        correct += int(right.sum())
        patched += int(carries.sum())
        patched_correct += int((right & carries).sum())
        patch_only += int((kind == 2).sum())
    clean = seen - patched
    return {"train_loss": loss_sum / seen,
            "train_accuracy": 100.0 * correct / seen,
            "train_patched_accuracy": 100.0 * patched_correct / patched if patched else 0.0,
            "train_clean_accuracy": 100.0 * (correct - patched_correct) / clean if clean else 0.0,
            "train_patch_only_images": patch_only}


def evaluate(model, loader, device):
    """(mean loss, accuracy %) in eval mode, as train_util.validate."""
    model.eval()
    loss_sum = seen = correct = 0
    with torch.no_grad():
        for x, y, _ in loader:
            x, y = x.to(device), y.to(device)
            logits = model(x)
            loss_sum += F.cross_entropy(logits, y).item() * len(y)
            correct += int(logits.argmax(1).eq(y).sum())
            seen += len(y)
    return loss_sum / seen, 100.0 * correct / seen


# ---- output ---------------------------------------------------------------------------------------

def finite(value):
    """JSON-safe: NaN and infinities (which wei-run's JSON reader rejects) become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value


def write_json(path, doc):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(finite(doc), f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    p = argparse.ArgumentParser(description="The official large-lr patch experiment recipe, one run.")
    p.add_argument("root", help="CIFAR-10 folder (holding cifar-10-batches-bin/, or that folder)")
    p.add_argument("--name", default="official", help="spec.name in metrics.json")
    p.add_argument("--seed", type=int, default=0, help="(the official default is 2)")
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--anneal-epoch", type=int, default=None,
                   help="lr x --anneal-factor once epoch >= E (epochs from 1); omit for a fixed lr")
    p.add_argument("--anneal-factor", type=float, default=0.04)
    p.add_argument("--act-noise", type=float, default=None, help="activation noise level (official 0.4)")
    p.add_argument("--act-noise-epoch", type=int, default=None,
                   help="noise x --act-noise-decay once epoch >= E (default: --anneal-epoch)")
    p.add_argument("--act-noise-decay", type=float, default=1e-5)
    p.add_argument("--widen", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--train-size", type=int, default=0, help="seeded random subset of the 50,000; 0: all")
    p.add_argument("--test-size", type=int, default=0, help="seeded random subset of the 10,000; 0: all")
    p.add_argument("--patch-only-images", type=int, default=1000)
    p.add_argument("--prop-augment", type=float, default=0.8)
    p.add_argument("--patch-size", type=int, default=7)
    p.add_argument("--z-scale", type=float, default=1.25)
    p.add_argument("--patch-sep", type=float, default=0.1)
    p.add_argument("--patch-only-prob", type=float, default=0.2)
    p.add_argument("--patch-only-scale", type=float, default=1.75)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--workers", type=int, default=0, help="DataLoader worker processes (official 1)")
    p.add_argument("--device", default="cpu")
    add_precision_argument(p)
    p.add_argument("--out", default=None, help="write OUT/metrics.json")
    args = p.parse_args()
    if not 0 <= args.train_size <= 50000 or not 0 <= args.test_size <= 10000:
        p.error("--train-size must be in 0..50000 and --test-size in 0..10000 (0: all)")
    noise_epoch = args.act_noise_epoch if args.act_noise_epoch is not None else args.anneal_epoch

    started, began = now_utc(), time.perf_counter()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    # The official order of the global streams: patterns (torch), selections (numpy), model (torch).
    z, zeta = make_patterns(args.patch_size, args.z_scale, args.patch_sep)
    patch = Patch(z, zeta, args.patch_only_prob, args.patch_only_scale)
    train_images, train_labels = read_cifar10(args.root, train=True)
    test_images, test_labels = read_cifar10(args.root, train=False)
    train_should = np.random.random(len(train_labels))
    test_should = np.random.random(len(test_labels))
    if 0 < args.train_size < len(train_labels):
        keep = wei_subset(len(train_labels), args.train_size, args.seed, "train-subset")
        train_images, train_labels, train_should = train_images[keep], train_labels[keep], train_should[keep]
    if 0 < args.test_size < len(test_labels):
        keep = wei_subset(len(test_labels), args.test_size, args.seed, "test-subset")
        test_images, test_labels, test_should = test_images[keep], test_labels[keep], test_should[keep]

    def loader(dataset):
        return DataLoader(dataset, batch_size=args.batch_size, shuffle=True, num_workers=args.workers)

    train_loader = loader(CifarSet(train_images, train_labels, train_should, args.prop_augment, patch))
    clean_loader = loader(CifarSet(test_images, test_labels))
    patched_loader = loader(CifarSet(test_images, test_labels, test_should, args.prop_augment, patch))
    only_loader = loader(PatchOnlySet(args.patch_only_images, patch))

    model = with_precision(WideResNet16(args.widen).to(device), args.precision, device.type)
    parameters = sum(t.numel() for t in model.parameters())
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4, nesterov=True)

    regularizer = "act_noise" if args.act_noise is not None else "none"
    spec = {
        "name": args.name,
        "trainer": TRAINER,
        "seed": args.seed,
        "precision": args.precision,
        "data": {"train_size": args.train_size, "test_size": args.test_size},
        "patch": {"fraction": args.prop_augment, "size": args.patch_size, "z_scale": args.z_scale,
                  "class_sep": args.patch_sep, "only_prob": args.patch_only_prob,
                  "only_scale": args.patch_only_scale},
        "model": {"depth": 16, "widen": args.widen},
        "optim": {"epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr, "momentum": 0.9,
                  "nesterov": True, "weight_decay": 5e-4,
                  "schedule": "multistep" if args.anneal_epoch is not None else "fixed",
                  "lr_milestones": [args.anneal_epoch - 1] if args.anneal_epoch is not None else [],
                  "lr_gamma": args.anneal_factor},
        "regularizer": regularizer,
        "act_noise": None if args.act_noise is None else {
            "std": args.act_noise, "milestones": [noise_epoch - 1] if noise_epoch is not None else [],
            "gamma": args.act_noise_decay},
        "eval": {"patch_only_images": args.patch_only_images},
    }
    start = patch.start
    data_info = {"source": "cifar10-binary", "dataset": "cifar10", "root": args.root, "num_classes": CLASSES,
                 "train_size": len(train_labels), "test_size": len(test_labels),
                 "patched_train_images": int((train_should < args.prop_augment).sum()),
                 "patched_test_images": int((test_should < args.prop_augment).sum()),
                 "patch_only_images": args.patch_only_images,
                 "patch_rows": [start, start + args.patch_size - 1],
                 "model_parameters": parameters}
    model_name = f"WRN-16-{args.widen}"
    print(f"official large_lr_patch: {model_name} ({parameters} parameters), lr {args.lr}"
          f"{f' x{args.anneal_factor} from epoch {args.anneal_epoch}' if args.anneal_epoch else ' (fixed)'}, "
          f"regularizer {regularizer}"
          f"{f' {args.act_noise} x{args.act_noise_decay} from epoch {noise_epoch}' if args.act_noise is not None else ''}, "
          f"{len(train_labels)} train images ({data_info['patched_train_images']} patched) / "
          f"{len(test_labels)} test images, seed {args.seed}, {args.threads} thread(s), {args.workers} worker(s), {args.precision}",
          flush=True)

    history, timing = [], []
    metrics_path = None
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        metrics_path = os.path.join(args.out, "metrics.json")

    def document(status, error=None):
        final = {}
        if history:
            last = history[-1]
            for key in ("test_accuracy", "test_error", "test_loss", "patched_test_accuracy", "patch_only_accuracy",
                        "train_accuracy", "train_patched_accuracy", "train_clean_accuracy"):
                final[key] = last[key]
            final["regularizer"] = regularizer
            final["model"] = model_name
        best = {}
        if history:
            top = max(history, key=lambda row: row["test_accuracy"])
            best = {"test_accuracy": top["test_accuracy"], "epoch": top["epoch"]}
        return {"schema_version": 1, "status": status, "trainer": TRAINER,
                "run": {"id": os.path.basename(os.path.normpath(args.out)) if args.out else None,
                        "started_at": started, "finished_at": now_utc() if status != "running" else None,
                        "wall_seconds": time.perf_counter() - began, "host": socket.gethostname(),
                        "torch_version": torch.__version__, "device": str(device), "threads": args.threads,
                        "workers": args.workers, "argv": sys.argv, "epoch_timing": timing},
                "spec": spec, "data": data_info, "history": history, "final": final, "best": best,
                "error": error}

    try:
        for epoch in range(1, args.epochs + 1):
            t0 = time.perf_counter()
            lr = args.lr * (args.anneal_factor if args.anneal_epoch is not None and epoch >= args.anneal_epoch else 1)
            for group in optimizer.param_groups:
                group["lr"] = lr
            noise = None
            if args.act_noise is not None:
                noise = args.act_noise * (args.act_noise_decay if noise_epoch is not None and epoch >= noise_epoch else 1)
            row = {"epoch": epoch, "lr": lr}
            if noise is not None:
                row["act_noise"] = noise
            row.update(train_epoch(model, train_loader, optimizer, noise, device))
            t1 = time.perf_counter()
            row["test_loss"], row["test_accuracy"] = evaluate(model, clean_loader, device)
            row["test_error"] = 100.0 - row["test_accuracy"]
            row["patched_test_loss"], row["patched_test_accuracy"] = evaluate(model, patched_loader, device)
            row["patch_only_loss"], row["patch_only_accuracy"] = evaluate(model, only_loader, device)
            t2 = time.perf_counter()
            row["seconds"] = t2 - t0
            history.append(row)
            timing.append({"epoch": epoch, "seconds": t2 - t0, "train_seconds": t1 - t0, "eval_seconds": t2 - t1,
                           "train_images_per_second": len(train_labels) / (t1 - t0)})
            print(f"epoch {epoch}/{args.epochs} lr {lr:g}{f' noise {noise:g}' if noise is not None else ''} "
                  f"train_loss {row['train_loss']:.4f} train_acc {row['train_accuracy']:.2f} "
                  f"(patched {row['train_patched_accuracy']:.2f} clean {row['train_clean_accuracy']:.2f}) | "
                  f"test {row['test_accuracy']:.2f} patched_test {row['patched_test_accuracy']:.2f} "
                  f"patch_only {row['patch_only_accuracy']:.2f} | {t1 - t0:.1f}s train + {t2 - t1:.1f}s eval",
                  flush=True)
            if metrics_path:
                write_json(metrics_path, document("running"))
    except BaseException as e:
        if metrics_path:
            status = "interrupted" if isinstance(e, KeyboardInterrupt) else "failed"
            write_json(metrics_path, document(status, f"{type(e).__name__}: {e}"))
        raise
    if metrics_path:
        write_json(metrics_path, document("ok"))
        print(f"done in {time.perf_counter() - began:.1f}s: {metrics_path}", flush=True)


if __name__ == "__main__":
    main()
