#!/usr/bin/env bash
# Speed of the imbalanced_cifar trainer (LDAM-DRW, ResNet-32) on CIFAR-10-LT-100, everything measured
# in one go so that the ratios mean something on a noisy machine:
#  1. forward+backward alone on synthetic tensors (fp32 NCHW, fp32 channels-last, bf16 channels-last)
#     and the augmented batch builder alone (hidden Catch2 cases [imbalanced_cifar_bench], each variant
#     in a process of its own);
#  2. the full trainer for N epochs (real data when available, else the synthetic stand-in of the
#     same shape) in fp32 and bf16: epoch seconds (train + evaluation on the test set), training
#     images/s, and the share of batch building;
#  3. the Python PyTorch baseline (tools/bench/ldam_reference.py: the official code's training loop,
#     PIL augmentation in DataLoader workers, fp32, Debian's python3-torch) on the same data, for each
#     threads:workers setting given; the fastest is the reference;
#  4. ratios: wei-run epoch / reference epoch (targets: fp32 <= 0.85, bf16 <= 0.4).
# Usage: scripts/bench_imbalanced_cifar.sh [--threads N] [--epochs N] [--batch N] [--device cpu|cuda]
#          [--data DIR] [--precisions "fp32 bf16"] [--ref-settings "T:W ..."] [--no-reference]
#   --precisions     default "fp32 bf16", or "fp32" on a CPU without bf16 kernels (no AVX-512: bf16 runs
#                    LibTorch's reference code there, 15x slower than fp32); naming bf16 forces it
#   --ref-settings   Python threads:workers pairs (default "N:0 N:2 1:0", N = --threads; 1 thread is
#                    how Debian's python3-torch starts when nothing sets it)
#   --data DIR       real CIFAR-10, the same folder for wei-run (its data.root) and the Python
#                    reference: the one holding cifar-10-batches-bin/, or that folder itself (default
#                    .cache/cifar10 when the tests built it, else wei-run's synthetic stand-in)
# Environment: BUILD (default build), the folder holding wei-run and wei_tests.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/bench.sh
source "$here/scripts/lib/bench.sh"
build="${BUILD:-$here/build}"
threads="$(nproc)"; epochs=1; batch=128; device=cpu; data=""; precisions=""; ref_settings=""; reference=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --device) device="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --precisions) precisions="$2"; shift 2 ;;
    --ref-settings) ref_settings="$2"; shift 2 ;;
    --no-reference) reference=0; shift ;;
    -h|--help) sed -n '2,/^# Environment/p' "$0"; exit 0 ;;
    *) echo "unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
ref_settings="${ref_settings:-$threads:0 $threads:2 1:0}"
[[ -x "$build/wei-run" ]] || { echo "no wei-run in $build: build it (scripts/test.sh) or set BUILD" >&2; exit 2; }
cpu_line="$("$build/wei-run" --version | sed -n 's/^cpu: //p')"
if [[ -z "$precisions" ]]; then
  precisions="fp32 bf16"
  if [[ "$device" == cpu && "$cpu_line" == *"bf16 kernels: none"* ]]; then
    precisions="fp32"
    echo "== bf16 left out: this CPU has no bf16 kernels (no AVX-512); --precisions \"fp32 bf16\" times it anyway"
  fi
fi
data="${data:-$(bench_cifar10_root)}"
[[ $reference -eq 0 ]] || bench_python_reference "$data"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "== machine: $cpu_line; $(nproc) cores visible, threads $threads, batch $batch, device $device, BLAS $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)"
if [[ "$device" == cpu ]]; then
  echo "== 1. model compute alone and batch building alone"
  bench_case() {  # bench_case NAME [VAR=VALUE ...]: one hidden Catch2 bench case, in a process of its own
    local name="$1"
    shift
    env OMP_NUM_THREADS="$threads" WEI_BENCH_BATCH="$batch" WEI_BENCH_STEPS=20 "$@" \
      "$build/wei_tests" "$name" --use-colour no | grep -v -E '^(=|~|All tests|Filters|test cases|assertions|$)' || true
  }
  # One process per variant: in a shared one the channels-last variant ran 25% slower after NCHW.
  variants="fp32_nchw fp32_cl"
  [[ " $precisions " == *" bf16 "* ]] && variants="$variants bf16_cl"
  for variant in $variants; do
    bench_case "bench: ResNet-32 forward+backward on synthetic tensors" WEI_BENCH_VARIANT="$variant"
  done
  bench_case "bench: augmented batch building"
fi

echo "== 2. full trainer, CIFAR-10-LT-100, $epochs epoch(s), data: ${data:-synthetic stand-in}"
for precision in $precisions; do
  "$build/wei-run" run "$here/configs/imbalanced_cifar/cifar10_lt100_ldam_drw.yaml" \
    "data.root=\"$data\"" "optim.epochs=$epochs" "optim.batch_size=$batch" "precision=$precision" \
    "threads=$threads" "device=$device" --out "$out/$precision" > "$out/$precision.log" 2>&1 \
    || { echo "run failed ($precision):"; tail -5 "$out/$precision.log"; continue; }
  jq -r --arg p "$precision" '
    def r2: . * 100 | round / 100;
    (.run.epoch_timing | map(.train_seconds + .eval_seconds) | add / length) as $epoch
    | (.run.epoch_timing | map(.train_seconds) | add / length) as $train
    | (.run.epoch_timing | map(.data_seconds) | add / length) as $data
    | (.run.epoch_timing | map(.eval_seconds) | add / length) as $eval
    | (.run.epoch_timing | map(.train_images_per_second) | add / length) as $ips
    | "  \($p): epoch \($epoch | r2) s (train \($train | r2) s, eval \($eval | r2) s on \(.data.test_size) images), \($ips | round) train img/s, batch building \($data / $train * 1000 | round / 10)% of training; final test error \(.final.test_error | r2)%, threads \(.run.threads), device \(.run.device)"' \
    "$out/$precision/metrics.json" | tee -a "$out/ours.txt"
done

[[ $reference -eq 1 ]] || exit 0
echo "== 3. Python reference (tools/bench/ldam_reference.py, python3-torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), fp32, batch $batch), $epochs epoch(s)"
for setting in $ref_settings; do
  /usr/bin/python3 "$here/tools/bench/ldam_reference.py" "$data" --threads "${setting%%:*}" \
    --workers "${setting##*:}" --epochs "$epochs" --batch "$batch" | sed 's/^/  /' | tee -a "$out/ref.txt"
done

echo "== 4. ratios (epoch seconds, wei-run / Python; mean over epochs)"
# The reference's epoch time per setting, averaged over its epochs: "threads workers seconds".
awk '/ threads / { for (i = 1; i <= NF; ++i) { if ($i == "threads") t = $(i + 1); if ($i == "workers") w = $(i + 1); if ($i == "epoch" && $(i + 1) + 0 > 0 && $(i + 2) == "s") s = $(i + 1) }
       key = t " " w; sum[key] += s; n[key]++ }
     END { for (k in sum) print k, sum[k] / n[k] }' "$out/ref.txt" | sort -k3 -n > "$out/ref_means.txt"
read -r best_t best_w best_s < "$out/ref_means.txt"
awk '{ for (i = 1; i <= NF; ++i) if ($i == "epoch") { print $1, $(i + 1); break } }' "$out/ours.txt" | tr -d ':' |
  while read -r precision seconds; do
    awk -v p="$precision" -v s="$seconds" -v bs="$best_s" -v bt="$best_t" -v bw="$best_w" \
      'BEGIN { printf "  %s: %.2f s / %.2f s (fastest reference: %s threads, %s workers) = %.2fx\n", p, s, bs, bt, bw, s / bs }'
    while read -r t w s_ref; do
      [[ "$t $w" == "$best_t $best_w" ]] && continue
      awk -v p="$precision" -v s="$seconds" -v r="$s_ref" -v t="$t" -v w="$w" \
        'BEGIN { printf "        against %s threads, %s workers (%.2f s): %.2fx\n", t, w, r, s / r }'
    done < "$out/ref_means.txt"
  done
echo "  targets: fp32 <= 0.85x, bf16 <= 0.4x the reference epoch; batch building < 5% of training"
