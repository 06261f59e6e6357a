#!/usr/bin/env bash
# Cost of one FixMatch training step of the self_training trainer against the Python PyTorch port,
# everything measured in one go so that the ratios mean something on a noisy machine (each
# measurement --repeats times, wei-run and Python in turn, the fastest of each kept; the load average
# before and after is printed, since other work on the cores skews every figure):
#  1. wei-run, configs/self_training/cpu_fixmatch_4000.yaml (WRN-16-2, 32 labelled and 3 x 32
#     unlabelled images a step, each unlabelled image seen weak and strong: 224 images in one forward
#     pass), in fp32 and in bf16 (precision=bf16: autocast of convolutions and matrix products). The
#     run has W + N steps with an evaluation every W, so its first epoch (W steps) is the warm-up and
#     is left out; of the others: step = train_seconds / N (batch building, forward, backward,
#     optimizer, weight average) and batch building = data_seconds / N (reading the images, the
#     weak and strong augmentations, normalization), with its share of a step. The evaluations (on
#     256 test images) are timed apart and not counted.
#  2. the Python PyTorch baseline (tools/bench/fixmatch_reference.py: kekmodel/FixMatch-pytorch's
#     loop, per-image PIL transforms with RandAugmentMC in DataLoaders, interleaved single forward
#     pass, masked pseudo-label loss, Nesterov SGD, cosine schedule, ModelEMA; Debian's python3-torch,
#     fp32 NCHW) on the same data and network, for each threads:workers setting given: the time of a
#     whole step (batch fetch included), the time the step waited for its batches, and the batch
#     building alone (in-process, no training), each over N steps after W warm-up steps; the fastest
#     setting's step is the reference;
#  3. ratios: wei-run / Python step (target <= 0.7 in fp32), wei-run's batch building share of a step
#     (target < 10 %), and wei-run / Python batch building.
# Usage: scripts/bench_self_training.sh [--steps N] [--warmup W] [--threads T] [--depth D] [--widen K]
#          [--batch B] [--mu M] [--repeats R] [--data DIR] [--ref-settings "T:W ..."] [--no-bf16]
#          [--no-reference]
#   defaults: 32 timed steps after 4 warm-up steps, 2 repeats, all cores, the CPU profile's WRN-16-2,
#   batch 32, mu 3; about 3.5 minutes on 2 idle cores
#   --repeats R      every measurement R times, wei-run and Python in turn; the fastest of each is kept
#   --ref-settings   Python threads:workers pairs (default "T:0 T:2", T = --threads)
#   --data DIR       real CIFAR-10, the same folder for wei-run (its data.root) and the Python
#                    reference: the one holding cifar-10-batches-bin/, or that folder itself (default
#                    .cache/cifar10 when the tests built it, else wei-run's synthetic stand-in)
# Environment: BUILD (default build), the folder holding wei-run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/bench.sh
source "$here/scripts/lib/bench.sh"
build="${BUILD:-$here/build}"
steps=32; warmup=4; threads="$(nproc)"; depth=16; widen=2; batch=32; mu=3; data=""; ref_settings=""
repeats=2; bf16=1; reference=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) steps="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --depth) depth="$2"; shift 2 ;;
    --widen) widen="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --mu) mu="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --ref-settings) ref_settings="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --no-bf16) bf16=0; shift ;;
    --no-reference) reference=0; shift ;;
    -h|--help) sed -n '2,/^# Environment/p' "$0"; exit 0 ;;
    *) echo "unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$steps" -ge 1 && "$warmup" -ge 1 && "$repeats" -ge 1 ]] || { echo "--steps, --warmup and --repeats must be at least 1" >&2; exit 2; }
ref_settings="${ref_settings:-$threads:0 $threads:2}"
[[ -x "$build/wei-run" ]] || { echo "no wei-run in $build: build it (scripts/run.sh) or set BUILD" >&2; exit 2; }
data="${data:-$(bench_cifar10_root)}"
[[ $reference -eq 0 ]] || bench_python_reference "$data"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
model="WRN-$depth-$widen"
images=$((batch + 2 * mu * batch))
native="$(grep -o -w -E 'avx512_bf16|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ' | sed 's/ $//')"
echo "== machine: $("$build/wei-run" --version | sed -n 's/^cpu: //p'); $(nproc) cores visible; native bf16: ${native:-none (no avx512_bf16 or amx_bf16 in /proc/cpuinfo: bf16 is emulated)}"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the cores skews every figure below)"
echo "== settings: fixmatch, $model, $batch labelled + $mu x $batch unlabelled (weak and strong) = $images images a step, threads $threads, device cpu, $steps timed steps after $warmup warm-up, data: ${data:-synthetic stand-in}"

# Each repeat runs every measurement once, wei-run and Python in turn, so that a burst of other work
# on the cores hits one repeat, not one side; the fastest of the repeats is kept for each row.
precisions=(fp32)
[[ $bf16 -eq 0 ]] || precisions+=(bf16)
for ((rep = 1; rep <= repeats; ++rep)); do
  echo "== 1. wei-run (configs/self_training/cpu_fixmatch_4000.yaml), repeat $rep/$repeats"
  for precision in "${precisions[@]}"; do
    "$build/wei-run" run "$here/configs/self_training/cpu_fixmatch_4000.yaml" \
      "data.root=\"$data\"" "data.test_size=256" "eval.batch_size=256" "model.depth=$depth" "model.widen=$widen" \
      "optim.batch_size=$batch" "unlabelled.mu=$mu" "optim.steps=$((warmup + steps))" "optim.eval_every=$warmup" \
      "precision=$precision" "threads=$threads" "device=cpu" --out "$out/$precision-$rep" > "$out/$precision-$rep.log" 2>&1 ||
      { echo "run failed ($precision):"; tail -5 "$out/$precision-$rep.log"; exit 1; }
    # Epochs after the first: "precision step_s data_s eval_s".
    jq -r --arg p "$precision" --argjson n "$steps" '.run.epoch_timing[1:] as $t
      | "\($p) \(([$t[].train_seconds] | add) / $n) \(([$t[].data_seconds] | add) / $n) \([$t[].eval_seconds] | add)"' \
      "$out/$precision-$rep/metrics.json" | tee -a "$out/ours.txt" |
      awk '{ printf "  %s: step %.4f s, batch building %.4f s (%.1f %% of a step) (evaluations %.2f s, not counted)\n", $1, $2, $3, 100 * $3 / $2, $4 }'
  done

  if [[ $reference -eq 1 ]]; then
    echo "== 2. Python reference (tools/bench/fixmatch_reference.py, python3-torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), fp32 NCHW), repeat $rep/$repeats"
    for setting in $ref_settings; do
      /usr/bin/python3 "$here/tools/bench/fixmatch_reference.py" "$data" --depth "$depth" --widen "$widen" \
        --batch "$batch" --mu "$mu" --steps "$steps" --warmup "$warmup" --total-steps "$((warmup + steps))" \
        --threads "${setting%%:*}" --workers "${setting##*:}" | sed 's/^/  /' | tee -a "$out/ref.txt"
    done
  fi
done

echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== 3. ratios (the fastest repeat of each row)"
# Field f of the fastest row of precision p.
field_of() { awk -v p="$1" -v f="$2" '$1 == p && (best == "" || $2 < best) { best = $2; v = $f } END { print v }' "$out/ours.txt"; }
for precision in "${precisions[@]}"; do
  awk -v p="$precision" -v s="$(field_of "$precision" 2)" -v d="$(field_of "$precision" 3)" \
    'BEGIN { printf "  wei-run %s batch building share: %.4f s / %.4f s = %.1f %% of a step (target < 10 %%)\n", p, d, s, 100 * d / s }'
done
if [[ $reference -eq 1 ]]; then
  # Fastest Python setting: "step_s threads workers building_s".
  read -r ref_s ref_t ref_w ref_build < <(awk '{
      for (i = 1; i <= NF; ++i) { if ($i == "threads") t = $(i + 1); if ($i == "workers") w = $(i + 1)
                                  if ($i == "step") s = $(i + 1); if ($i == "alone") b = $(i + 1) }
      if (best == "" || s < best) { best = s; bt = t; bw = w; bb = b } }
      END { print best, bt, bw, bb }' "$out/ref.txt")
  for precision in "${precisions[@]}"; do
    target=""; [[ $precision == fp32 ]] && target=" (target <= 0.7)"
    awk -v p="$precision" -v s="$(field_of "$precision" 2)" -v r="$ref_s" -v t="$ref_t" -v w="$ref_w" -v g="$target" \
      'BEGIN { printf "  wei-run %s / Python fp32 step: %.4f s / %.4f s (%s threads, %s workers) = %.2fx%s\n", p, s, r, t, w, s / r, g }'
  done
  awk -v d="$(field_of fp32 3)" -v b="$ref_build" -v r="$ref_s" \
    'BEGIN { printf "  batch building, wei-run fp32 / Python alone: %.4f s / %.4f s = %.3fx (Python: %.1f %% of its fastest step)\n", d, b, d / b, 100 * b / r }'
fi
