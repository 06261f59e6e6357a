#!/usr/bin/python3
"""A full training run of plain SGD or of all-layer margin optimization (AMO) as the official code
runs one (cwein3/all-layer-margin-opt: train_cifar.py with its README's flags, train_util.py's
train_loop / validate / adjust_lr, update_loss_util.py's standard_update / adv_update_full), for
running the official recipe beside wei-run's all_layer_margin trainer on the same data and seeds.
The model and the two update steps are tools/bench/amo_reference.py's.

What it does, as the official code: the training images go through PIL per image (a reflect pad of
4 and RandomCrop(32), RandomHorizontalFlip, ToTensor, Normalize with the code's mean and std; the
code pads the tensor with F.pad(mode="reflect") and goes back to PIL, which gives the same pixels
as RandomCrop(32, padding=4, padding_mode="reflect")), a shuffling DataLoader of batch 128, SGD
0.1 with Nesterov momentum 0.9 and weight decay 5e-4 on all parameters, the learning rate set at
the start of each epoch (x gamma for each milestone the completed epochs have reached: PyTorch's
MultiStepLR convention, so the code's 1-based 60/120/150 are 59,119,149), plain SGD steps in the
epochs before --switch-time (1-based; the code's `epoch + 1 < switch_time`) and AMO steps (inner
lr 0.01, 1 inner step) from it on. Each epoch reports what the code's train_loop reports: the mean
loss of the updates (the perturbed pass's loss under AMO) and the running accuracy of the clean
train-mode outputs over the epoch's batches (for AMO those of the pass that creates the zero deltas,
and the perturbed pass's accuracy beside it), then validate's test loss and accuracy in eval mode.
Added for this project: the accuracy in eval mode on the unaugmented training subset
(train_eval_accuracy), and metrics.json in wei-run's schema (rewritten after every epoch, status
"running", then "ok"), so that `wei-run summarize` and `wei-run plot` read it beside wei-run runs.
Written for this project, not copied.

Usage: amo_train_reference.py CIFAR_ROOT --method sgd|amo [--depth D] [--widen K] [--epochs E]
                              [--lr LR] [--milestones M1,M2,..] [--gamma G] [--switch-time T]
                              [--inner-lr LR] [--inner-steps N] [--batch B] [--train-size N]
                              [--test-size N] [--seed S] [--threads N] [--workers N]
                              [--precision fp32|bf16] [--out DIR] [--name NAME]
CIFAR_ROOT is wei-run's data.root: the folder holding cifar-10-batches-bin/, or that folder itself.
The defaults are the README command's (WRN-16-10, 200 epochs, milestones 59,119,149, x0.2,
switch time 1, all 50,000 images). --train-size N and --test-size N keep the same images as
wei-run's data.train_size / data.test_size for the same seed (wei_subsets.py; 0: all). Prints one
line an epoch.
"""
import argparse
import datetime
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision import transforms

from amo_reference import MEAN, STD, WideResNet, amo_step, sgd_step
from cifar_pil import ImageSet, read_cifar10
from precision import add_precision_argument, with_precision
from wei_subsets import wei_subset

TRAINER = "all_layer_margin_official"
EVAL_BATCH = 128  # validate's loader: the training batch size
# final: the last history row without these (as wei-run's final, which keeps the scores only)
FINAL_LEAVES_OUT = ("epoch", "lr", "method", "seconds", "train_seconds", "eval_seconds")


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_tensor(images):
    """What ToTensor then Normalize make of uint8 HWC images, for all of them at once."""
    x = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous().float().div(255)
    return x.sub_(torch.tensor(MEAN)[:, None, None]).div_(torch.tensor(STD)[:, None, None])


def evaluate(model, x, y):
    """validate: eval mode, no gradients; (mean loss, accuracy %)."""
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(y), EVAL_BATCH):
            logits = model(x[start:start + EVAL_BATCH])
            target = y[start:start + EVAL_BATCH]
            loss += F.cross_entropy(logits, target, reduction="sum").item()
            correct += logits.argmax(1).eq(target).sum().item()
    return loss / len(y), 100.0 * correct / len(y)


def lr_at(args, epoch):
    """The learning rate of 0-based epoch `epoch`: x gamma for each milestone <= epoch."""
    return args.lr * args.gamma ** sum(1 for m in args.milestones if m <= epoch)


def write_metrics(out, doc):
    path = os.path.join(out, "metrics.json")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def parse_milestones(text):
    values = sorted(int(v) for v in text.split(",") if v.strip()) if text.strip() else []
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError("milestones are epochs completed, >= 1")
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root")
    parser.add_argument("--method", choices=("sgd", "amo"), required=True)
    parser.add_argument("--depth", type=int, default=16)
    parser.add_argument("--widen", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--milestones", type=parse_milestones, default=[59, 119, 149],
                        help="comma list of epochs completed before each decay (MultiStepLR convention)")
    parser.add_argument("--gamma", type=float, default=0.2)
    parser.add_argument("--switch-time", type=int, default=1,
                        help="1-based epoch from which AMO replaces SGD (--method amo only)")
    parser.add_argument("--inner-lr", type=float, default=0.01)
    parser.add_argument("--inner-steps", type=int, default=1)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--train-size", type=int, default=0, help="0: all 50,000")
    parser.add_argument("--test-size", type=int, default=0, help="0: all 10,000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--workers", type=int, default=0)
    add_precision_argument(parser)
    parser.add_argument("--out", help="run directory for metrics.json")
    parser.add_argument("--name")
    args = parser.parse_args()
    if (args.depth - 4) % 6 != 0 or args.depth < 10:
        parser.error("--depth must be 6n+4, n >= 1")
    if args.epochs < 1 or args.batch < 1 or args.inner_steps < 1:
        parser.error("--epochs, --batch and --inner-steps must be >= 1")
    name = args.name or f"official_{args.method}"
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    images, labels = read_cifar10(args.root, train=True)
    keep = wei_subset(len(labels), args.train_size, args.seed, "train-subset")
    train_images, train_labels = images[keep], labels[keep]
    test_images, test_labels = read_cifar10(args.root, train=False)
    keep_test = wei_subset(len(test_labels), args.test_size, args.seed, "test-subset")
    test_images, test_labels = test_images[keep_test], test_labels[keep_test]

    augment = transforms.Compose([transforms.RandomCrop(32, padding=4, padding_mode="reflect"),
                                  transforms.RandomHorizontalFlip(), transforms.ToTensor(),
                                  transforms.Normalize(MEAN, STD)])
    loader = DataLoader(ImageSet(train_images, train_labels, augment), batch_size=args.batch, shuffle=True,
                        num_workers=args.workers)
    train_x, train_y = as_tensor(train_images), torch.from_numpy(train_labels)
    test_x, test_y = as_tensor(test_images), torch.from_numpy(test_labels)

    model = with_precision(WideResNet(args.depth, args.widen), args.precision)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    model_name = f"WRN-{args.depth}-{args.widen}"
    parameters = sum(p.numel() for p in model.parameters())

    doc = {
        "schema_version": 1,
        "status": "running",
        "trainer": TRAINER,
        "run": {"started_at": now(), "finished_at": None, "wall_seconds": None, "device": "cpu",
                "threads": args.threads, "workers": args.workers, "torch_version": torch.__version__,
                "argv": sys.argv},
        "spec": {
            "name": name,
            "trainer": TRAINER,
            "seed": args.seed,
            "threads": args.threads,
            "precision": args.precision,
            "method": args.method,
            "data": {"root": args.root, "dataset": "cifar10", "train_size": int(len(train_labels)),
                     "test_size": int(len(test_labels))},
            "model": {"depth": args.depth, "widen": args.widen},
            "amo": {"switch_time": args.switch_time, "inner_steps": args.inner_steps, "inner_lr": args.inner_lr},
            "optim": {"epochs": args.epochs, "batch_size": args.batch, "lr": args.lr, "momentum": 0.9,
                      "nesterov": True, "weight_decay": 5e-4, "lr_milestones": args.milestones,
                      "lr_gamma": args.gamma},
            "augment": {"padding": 4, "pad_mode": "reflect", "flip": True},
        },
        "data": {"source": "cifar10", "train_size": int(len(train_labels)), "test_size": int(len(test_labels)),
                 "subset": "wei-run's (wei_subsets.py)", "model_parameters": parameters},
        "history": [],
        "final": None,
        "best": None,
        "error": None,
    }
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        write_metrics(args.out, doc)
    print(f"official {args.method} {model_name} ({parameters} parameters), {len(train_labels)} train / "
          f"{len(test_labels)} test images, seed {args.seed}, threads {args.threads}, workers {args.workers}, "
          f"{args.precision}",
          flush=True)

    began = time.perf_counter()
    try:
        for epoch in range(args.epochs):
            lr = lr_at(args, epoch)
            for group in optimizer.param_groups:
                group["lr"] = lr
            amo = args.method == "amo" and epoch + 1 >= args.switch_time
            epoch_began = time.perf_counter()
            model.train()
            loss_sum, correct, perturbed_correct, seen = 0.0, 0, 0, 0
            for x, y in loader:
                if amo:
                    loss, logits, perturbed = amo_step(model, optimizer, x, y, args.inner_lr, args.inner_steps)
                    perturbed_correct += perturbed.argmax(1).eq(y).sum().item()
                else:
                    loss, logits, _ = sgd_step(model, optimizer, x, y)
                loss_sum += loss.item() * len(y)
                correct += logits.argmax(1).eq(y).sum().item()
                seen += len(y)
            train_seconds = time.perf_counter() - epoch_began
            if not np.isfinite(loss_sum):
                raise FloatingPointError(f"epoch {epoch + 1}: non-finite training loss")
            test_loss, test_accuracy = evaluate(model, test_x, test_y)
            train_eval_loss, train_eval_accuracy = evaluate(model, train_x, train_y)
            seconds = time.perf_counter() - epoch_began
            row = {"epoch": epoch + 1, "lr": lr, "method": "amo" if amo else "sgd",
                   "train_loss": loss_sum / seen, "train_accuracy": 100.0 * correct / seen}
            if amo:
                row["perturbed_train_accuracy"] = 100.0 * perturbed_correct / seen
            row.update({"test_loss": test_loss, "test_accuracy": test_accuracy, "test_error": 100.0 - test_accuracy,
                        "train_eval_loss": train_eval_loss, "train_eval_accuracy": train_eval_accuracy,
                        "seconds": seconds, "train_seconds": train_seconds, "eval_seconds": seconds - train_seconds})
            doc["history"].append(row)
            best = min(doc["history"], key=lambda r: r["test_error"])
            doc["best"] = {"test_error": best["test_error"], "epoch": best["epoch"]}
            doc["final"] = {k: v for k, v in row.items() if k not in FINAL_LEAVES_OUT}
            doc["final"].update(method=args.method, model=model_name)
            doc["run"]["wall_seconds"] = time.perf_counter() - began
            if args.out:
                write_metrics(args.out, doc)
            perturbed_text = f" perturbed_acc={row['perturbed_train_accuracy']:.2f}" if amo else ""
            print(f"epoch {epoch + 1}/{args.epochs} {row['method']} lr={lr:.5g} train_loss={row['train_loss']:.4f} "
                  f"train_acc={row['train_accuracy']:.2f}{perturbed_text} train_eval_acc={train_eval_accuracy:.2f} "
                  f"test_error={row['test_error']:.2f} | {seconds:.1f} s (train {train_seconds:.1f} s)", flush=True)
    except BaseException as e:
        doc["status"] = "interrupted" if isinstance(e, KeyboardInterrupt) else "failed"
        doc["error"] = f"{type(e).__name__}: {e}"
        doc["run"]["finished_at"] = now()
        doc["run"]["wall_seconds"] = time.perf_counter() - began
        if args.out:
            write_metrics(args.out, doc)
        raise
    doc["status"] = "ok"
    doc["run"]["finished_at"] = now()
    doc["run"]["wall_seconds"] = time.perf_counter() - began
    if args.out:
        write_metrics(args.out, doc)
        print(f"done in {doc['run']['wall_seconds']:.1f} s: {os.path.join(args.out, 'metrics.json')}", flush=True)


if __name__ == "__main__":
    main()
