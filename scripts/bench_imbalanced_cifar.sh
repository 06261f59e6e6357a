#!/usr/bin/env bash
# Speed of the imbalanced_cifar trainer (LDAM-DRW, ResNet-32) against pure model compute, measured in
# one go so that ratios are meaningful on a noisy machine.
#  1. forward+backward alone on synthetic tensors (fp32 NCHW, fp32 channels-last, bf16 channels-last)
#     and the augmented batch builder alone (hidden Catch2 cases [imbalanced_cifar_bench]);
#  2. the full trainer for N epochs of CIFAR-10-LT-100 (real data when available, else the synthetic
#     stand-in of the same shape) in fp32 and bf16: epoch seconds (train + evaluation on the test
#     set), training images/s, and the share of batch building.
# Usage: scripts/bench_imbalanced_cifar.sh [--threads N] [--epochs N] [--batch N] [--device cpu|cuda]
#                                          [--data DIR] [--precisions "fp32 bf16"]
# Environment: BUILD (default build), the folder holding wei-run and wei_tests.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD:-$here/build}"
threads="$(nproc)"; epochs=1; batch=128; device=cpu; data=""; precisions="fp32 bf16"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --device) device="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --precisions) precisions="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -z "$data" && -f "$here/.cache/cifar10/cifar-10-batches-bin/test_batch.bin" ]]; then
  data="$here/.cache/cifar10"
fi

echo "== machine: $(nproc) cores visible, threads $threads, batch $batch, device $device"
if [[ "$device" == cpu ]]; then
  echo "== 1. model compute alone and batch building alone"
  OMP_NUM_THREADS="$threads" WEI_BENCH_BATCH="$batch" WEI_BENCH_STEPS=10 \
    "$build/wei_tests" '[imbalanced_cifar_bench]' --use-colour no | grep -v -E '^(=|~|All tests|$)' || true
fi

echo "== 2. full trainer, CIFAR-10-LT-100, $epochs epoch(s), data: ${data:-synthetic stand-in}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for precision in $precisions; do
  "$build/wei-run" run "$here/configs/imbalanced_cifar/cifar10_lt100_ldam_drw.yaml" \
    "data.root=$data" "optim.epochs=$epochs" "optim.batch_size=$batch" "precision=$precision" \
    "threads=$threads" "device=$device" --out "$out/$precision" > "$out/$precision.log" 2>&1 \
    || { echo "run failed ($precision):"; tail -5 "$out/$precision.log"; continue; }
  jq -r --arg p "$precision" '
    (.run.epoch_timing | map(.train_seconds + .eval_seconds) | add / length) as $epoch
    | (.run.epoch_timing | map(.train_seconds) | add / length) as $train
    | (.run.epoch_timing | map(.data_seconds) | add / length) as $data
    | (.run.epoch_timing | map(.eval_seconds) | add / length) as $eval
    | (.run.epoch_timing | map(.train_images_per_second) | add / length) as $ips
    | "  \($p): epoch \($epoch * 100 | round / 100) s (train \($train * 100 | round / 100) s, eval \($eval * 100 | round / 100) s on \(.data.test_size) images), \($ips | round) train img/s, batch building \($data / $train * 1000 | round / 10)% of training; final test error \(.final.test_error * 100 | round / 100)%, threads \(.run.threads), device \(.run.device)"' \
    "$out/$precision/metrics.json"
done
echo "   reference: official PyTorch code ~49 s/epoch on this kind of machine; targets fp32 <= 41.7 s, bf16 <= 19.6 s"
