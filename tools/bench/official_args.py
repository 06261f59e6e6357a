#!/usr/bin/python3
"""Translates one wei-run spec, fully resolved (`wei-run validate SPEC key=value ...` on stdin), into
the command-line options of the driver that trains the same profile with the official recipe:
tools/bench/amo_train_reference.py for all_layer_margin, tools/bench/large_lr_reference.py for
large_lr_patch. scripts/reproduce_cpu_effect.sh uses it so that both sides read one config.

A key the driver cannot follow (another schedule, momentum, weight decay, augmentation or model
variant than the official recipe's, a dataset other than CIFAR-10) is an error naming the key,
exit 2: the comparison would otherwise run two different experiments.

Usage: wei-run validate SPEC [key=value ...] | official_args.py
Prints the options, one per line (the seed, threads, name and output folder are the caller's).
"""
import sys

import yaml


class Mismatch(Exception):
    pass


def require(spec, path, wanted):
    node = spec
    for key in path.split("."):
        node = node[key]
    if node != wanted:
        raise Mismatch(f"{path}: {node!r}, but the official recipe has {wanted!r}")


def official_optimizer(spec):
    require(spec, "optim.momentum", 0.9)
    require(spec, "optim.nesterov", True)
    require(spec, "optim.weight_decay", 0.0005)
    require(spec, "optim.weight_decay_norm_and_bias", True)
    require(spec, "optim.warmup_epochs", 0)


def all_layer_margin(spec):
    official_optimizer(spec)
    require(spec, "data.dataset", "cifar10")
    require(spec, "data.corrupt_prob", 0.0)
    require(spec, "model.variant", "all_layer_margin")
    require(spec, "optim.schedule", "multistep")
    require(spec, "augment.padding", 4)
    require(spec, "augment.pad_mode", "reflect")
    require(spec, "augment.flip", True)
    optim = spec["optim"]
    args = ["--method", spec["method"], "--depth", spec["model"]["depth"], "--widen", spec["model"]["widen"],
            "--train-size", spec["data"]["train_size"] or 50000, "--test-size", spec["data"]["test_size"] or 10000,
            "--epochs", optim["epochs"], "--batch", optim["batch_size"], "--lr", optim["lr"],
            "--milestones", ",".join(str(m) for m in optim["lr_milestones"]), "--gamma", optim["lr_gamma"]]
    if spec["method"] == "amo":
        require(spec, "amo.inner_weight_decay", 0.0)
        require(spec, "amo.bn_stats_from_inner_passes", True)
        amo = spec["amo"]
        args += ["--switch-time", amo["switch_time"], "--inner-lr", amo["inner_lr"], "--inner-steps", amo["inner_steps"]]
    return args


def large_lr_patch(spec):
    official_optimizer(spec)
    optim, patch = spec["optim"], spec["patch"]
    args = ["--widen", spec["model"]["widen"], "--train-size", spec["data"]["train_size"] or 50000,
            "--test-size", spec["data"]["test_size"] or 10000, "--epochs", optim["epochs"],
            "--batch-size", optim["batch_size"], "--lr", optim["lr"],
            "--patch-only-images", spec["eval"]["patch_only_images"],
            "--prop-augment", patch["fraction"], "--patch-size", patch["size"], "--z-scale", patch["z_scale"],
            "--patch-sep", patch["class_sep"], "--patch-only-prob", patch["only_prob"],
            "--patch-only-scale", patch["only_scale"]]
    require(spec, "model.depth", 16)
    # The official anneal is one decay, at the 1-based epoch E: milestone E - 1 in wei-run's convention.
    if optim["schedule"] == "multistep":
        if len(optim["lr_milestones"]) != 1:
            raise Mismatch(f"optim.lr_milestones: {optim['lr_milestones']}, but the official recipe anneals once")
        args += ["--anneal-epoch", optim["lr_milestones"][0] + 1, "--anneal-factor", optim["lr_gamma"]]
    elif optim["schedule"] != "fixed":
        raise Mismatch(f"optim.schedule: {optim['schedule']!r}, but the official recipe has fixed or multistep")
    if spec["regularizer"] == "act_noise":
        noise = spec["act_noise"]
        if len(noise["milestones"]) != 1:
            raise Mismatch(f"act_noise.milestones: {noise['milestones']}, but the official recipe decays the noise once")
        args += ["--act-noise", noise["std"], "--act-noise-epoch", noise["milestones"][0] + 1,
                 "--act-noise-decay", noise["gamma"]]
    return args


TRANSLATORS = {"all_layer_margin": all_layer_margin, "large_lr_patch": large_lr_patch}


def main():
    spec = yaml.safe_load(sys.stdin)
    trainer = spec.get("trainer") if isinstance(spec, dict) else None
    if trainer not in TRANSLATORS:
        print(f"official_args.py: no official driver for trainer {trainer!r} (known: {', '.join(TRANSLATORS)})",
              file=sys.stderr)
        sys.exit(2)
    try:
        # Both drivers follow wei-run's precision (bf16: the network's forward under autocast).
        args = TRANSLATORS[trainer](spec) + ["--precision", spec["precision"]]
    except Mismatch as e:
        print(f"official_args.py: {spec.get('name', '?')}: {e}", file=sys.stderr)
        sys.exit(2)
    for a in args:
        print(a)


if __name__ == "__main__":
    main()
