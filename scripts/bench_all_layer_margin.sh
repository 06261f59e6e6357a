#!/usr/bin/env bash
# Cost of all-layer margin optimization (AMO) in the all_layer_margin trainer, everything measured in
# one go so that the ratios mean something on a noisy machine:
#  1. the model's compute alone: one optimizer step of plain SGD and one of AMO on synthetic tensors
#     (hidden Catch2 case [all_layer_margin_bench], each method in a process of its own);
#  2. the full trainer, one training epoch of each method on an N-image CIFAR-10 subset (real data
#     when available, else the synthetic stand-in of the same size): train seconds and images/s
#     (evaluation and the margin estimate are timed apart and left out);
#  3. the Python PyTorch baseline (tools/bench/amo_reference.py: the official code's training loop
#     and AMO step, PIL augmentation in DataLoader workers, Debian's python3-torch) on the same
#     number of images, for each threads:workers setting given; the fastest is the reference;
#  4. ratios: AMO epoch / SGD epoch (target <= 2.2; the official code: 2.11 on WRN-16-4), wei-run /
#     Python per method, and the trainer's throughput / the model compute's.
# Usage: scripts/bench_all_layer_margin.sh [--depth D] [--widen K] [--images N] [--threads N]
#          [--batch N] [--data DIR] [--ref-settings "T:W ..."] [--no-reference]
#   defaults: WRN-16-2, 5000 images, batch 128, all cores; --widen 4 is the setting of the published reference timing
#   (official code on this kind of machine: SGD 129.7 s, AMO 274.1 s a 5,000-image epoch)
#   --ref-settings   Python threads:workers pairs (default "N:0 N:2", N = --threads)
#   --data DIR       real CIFAR-10, the same folder for wei-run (its data.root) and the Python
#                    reference: the one holding cifar-10-batches-bin/, or that folder itself (default
#                    .cache/cifar10 when the tests built it, else wei-run's synthetic stand-in)
# Environment: BUILD (default build), the folder holding wei-run and wei_tests.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/bench.sh
source "$here/scripts/lib/bench.sh"
build="${BUILD:-$here/build}"
depth=16; widen=2; images=5000; threads="$(nproc)"; batch=128; data=""; ref_settings=""; reference=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --depth) depth="$2"; shift 2 ;;
    --widen) widen="$2"; shift 2 ;;
    --images) images="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --ref-settings) ref_settings="$2"; shift 2 ;;
    --no-reference) reference=0; shift ;;
    -h|--help) sed -n '2,/^# Environment/p' "$0"; exit 0 ;;
    *) echo "unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
ref_settings="${ref_settings:-$threads:0 $threads:2}"
[[ -x "$build/wei-run" && -x "$build/wei_tests" ]] || {
  echo "no wei-run or wei_tests in $build: build them (scripts/test.sh) or set BUILD" >&2
  exit 2
}
data="${data:-$(bench_cifar10_root)}"
[[ $reference -eq 0 ]] || bench_python_reference "$data"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
model="WRN-$depth-$widen"
echo "== machine: $("$build/wei-run" --version | sed -n 's/^cpu: //p'); $(nproc) cores visible; $model, batch $batch, threads $threads, device cpu, fp32"

echo "== 1. model compute alone (synthetic tensors, channels-last, one optimizer step)"
for method in sgd amo; do
  env OMP_NUM_THREADS="$threads" WEI_BENCH_DEPTH="$depth" WEI_BENCH_WIDEN="$widen" WEI_BENCH_BATCH="$batch" \
    WEI_BENCH_STEPS=10 WEI_BENCH_METHOD="$method" \
    "$build/wei_tests" "bench: WideResNet SGD and AMO steps on synthetic tensors" --use-colour no |
    grep '^model compute' | sed 's/^/  /' | tee -a "$out/compute.txt"
done

echo "== 2. full trainer, one training epoch on $images images, data: ${data:-synthetic stand-in}"
for method in sgd amo; do
  # The margin estimate of the last epoch is timed apart (margin_seconds); kept to one search here.
  "$build/wei-run" run "$here/configs/all_layer_margin/cpu_wrn16_$method.yaml" \
    "data.root=\"$data\"" "data.train_size=$images" "data.test_size=1000" "model.depth=$depth" \
    "model.widen=$widen" "optim.epochs=1" "optim.batch_size=$batch" "threads=$threads" "device=cpu" \
    "margin.train_examples=1" "margin.test_examples=1" "margin.steps=1" "margin.bisections=1" \
    --out "$out/$method" > "$out/$method.log" 2>&1 || { echo "run failed ($method):"; tail -5 "$out/$method.log"; exit 1; }
  jq -r --arg m "$method" '.run.epoch_timing[0] as $t
    | "  \($m): train \($t.train_seconds * 100 | round / 100) s, \($t.train_images_per_second | round) img/s (eval \($t.eval_seconds * 100 | round / 100) s on \(.data.test_size) images, not counted), threads \(.run.threads)"' \
    "$out/$method/metrics.json" | tee -a "$out/ours.txt"
done

if [[ $reference -eq 1 ]]; then
  echo "== 3. Python reference (tools/bench/amo_reference.py, python3-torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), fp32 NCHW), one epoch on $images images"
  for setting in $ref_settings; do
    for method in sgd amo; do
      /usr/bin/python3 "$here/tools/bench/amo_reference.py" "$data" --method "$method" --depth "$depth" \
        --widen "$widen" --images "$images" --threads "${setting%%:*}" --workers "${setting##*:}" --batch "$batch" |
        sed 's/^/  /' | tee -a "$out/ref.txt"
    done
  done
fi

echo "== 4. ratios"
seconds_of() { awk -v m="$1" '$1 == m":" { print $3 }' "$out/ours.txt"; }
ips_of() { awk -v m="$1" '$1 == m":" { print $5 }' "$out/ours.txt"; }
compute_ips_of() { awk -v m="$1" '$3 == m { for (i = 1; i <= NF; ++i) if ($i == "img/s") print $(i - 1) }' "$out/compute.txt"; }
sgd_s="$(seconds_of sgd)"; amo_s="$(seconds_of amo)"
awk -v a="$amo_s" -v s="$sgd_s" 'BEGIN { printf "  wei-run AMO / SGD epoch: %.2f s / %.2f s = %.2fx (target <= 2.2x)\n", a, s, a / s }'
for method in sgd amo; do
  awk -v m="$method" -v t="$(ips_of "$method")" -v c="$(compute_ips_of "$method")" \
    'BEGIN { printf "  trainer / model compute, %s: %d / %d img/s = %.2f\n", m, t, c, t / c }'
done
if [[ $reference -eq 1 ]]; then
  # Fastest reference setting per method: "method seconds threads workers".
  awk '{ for (i = 1; i <= NF; ++i) { if ($i == "threads") t = $(i + 1); if ($i == "workers") w = $(i + 1); if ($i == "train") s = $(i + 1) }
         if (!($2 in best) || s < best[$2]) { best[$2] = s; bt[$2] = t; bw[$2] = w } }
       END { for (m in best) print m, best[m], bt[m], bw[m] }' "$out/ref.txt" | sort > "$out/ref_best.txt"
  while read -r method ref_s ref_t ref_w; do
    awk -v m="$method" -v s="$(seconds_of "$method")" -v r="$ref_s" -v t="$ref_t" -v w="$ref_w" \
      'BEGIN { printf "  wei-run / Python, %s: %.2f s / %.2f s (%s threads, %s workers) = %.2fx\n", m, s, r, t, w, s / r }'
  done < "$out/ref_best.txt"
  awk '$1 == "amo" { a = $2 } $1 == "sgd" { s = $2 } END { printf "  Python AMO / SGD epoch: %.2f s / %.2f s = %.2fx\n", a, s, a / s }' "$out/ref_best.txt"
fi
