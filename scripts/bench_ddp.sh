#!/usr/bin/env bash
# Cost of data-parallel training (wei-run run --nproc): ResNet-32 (imbalanced_cifar, fp32) at one
# global batch, 1 rank with all the threads against N ranks sharing them, measured in one go so the
# ratio means something on a noisy machine. Per setting it prints the seconds per optimizer step
# (the training part of the epoch, batch building included, evaluation excluded) and the seconds
# per step spent in the gradient allreduce (wei-run's own measurement, metrics.json
# run.epoch_timing[].allreduce_seconds). Epochs after the first are averaged (the first warms up).
# Target on a 2-core machine: the 2-rank step within 1.15x of the 1-rank step.
#
# Usage: scripts/bench_ddp.sh [--nproc N] [--threads T] [--batch B] [--images N] [--epochs E]
#          [--repeats R] [--data DIR]
#   --nproc    ranks of the data-parallel setting (default 2), each with T / N threads
#   --threads  threads of the 1-rank setting (default: all cores)
#   --batch    global batch (default 128)
#   --images   training images, balanced over the 10 classes (default 3840: 30 steps of 128)
#   --epochs   epochs per run (default 3)
#   --repeats  runs per setting, alternating (default 2); the median step time is reported
#   --data     CIFAR-10 folder (default .cache/cifar10 when the tests built it, else synthetic)
# Environment: BUILD (default build), the folder holding wei-run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/bench.sh
source "$here/scripts/lib/bench.sh"
build="${BUILD:-$here/build}"
nproc_dp=2; threads="$(nproc)"; batch=128; images=3840; epochs=3; repeats=2; data=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nproc) nproc_dp="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --images) images="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -x "$build/wei-run" ]] || { echo "no wei-run in $build: build it (scripts/test.sh) or set BUILD" >&2; exit 2; }
[[ $epochs -ge 2 ]] || { echo "--epochs must be at least 2 (the first one is not timed)" >&2; exit 2; }
(( threads % nproc_dp == 0 )) || { echo "--threads $threads does not split evenly over --nproc $nproc_dp" >&2; exit 2; }
data="${data:-$(bench_cifar10_root)}"
per_rank=$(( threads / nproc_dp ))

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cpu_line="$("$build/wei-run" --version | sed -n 's/^cpu: //p')"
echo "== machine: $cpu_line; $(nproc) cores visible"
echo "== ResNet-32, fp32, global batch $batch, $images training images ($([[ -n "$data" ]] && echo "CIFAR-10 from $data" || echo "synthetic stand-in")), $epochs epochs per run, first not timed"
echo "== settings: 1 rank x $threads threads | $nproc_dp ranks x $per_rank thread(s), Gloo over 127.0.0.1"

spec="$here/configs/imbalanced_cifar/cifar10_lt100_erm.yaml"
common=(data.root="$data" data.ratio=1 data.max_per_class=$(( images / 10 )) data.test_per_class=10
        optim.epochs="$epochs" optim.batch_size="$batch" precision=fp32)

# "seconds per step" "allreduce seconds per step" of one finished run, epochs 2.. averaged.
step_figures() {
  jq -r --argjson batch "$batch" --argjson images "$images" '
    (($images + $batch - 1) / $batch | floor) as $steps
    | [.run.epoch_timing[1:][] ] as $t
    | "\(([$t[].train_seconds] | add) / ($t | length) / $steps) \((([$t[].allreduce_seconds // 0] | add) / ($t | length) / $steps))"' "$1/metrics.json"
}

declare -a single_steps dp_steps dp_comm
for r in $(seq 1 "$repeats"); do
  "$build/wei-run" run "$spec" "${common[@]}" threads="$threads" --out "$out/single-$r" > "$out/single-$r.log" 2>&1 ||
    { cat "$out/single-$r.log" >&2; exit 1; }
  read -r s _ <<< "$(step_figures "$out/single-$r")"
  single_steps+=("$s")
  "$build/wei-run" run "$spec" "${common[@]}" threads="$per_rank" --nproc "$nproc_dp" --out "$out/dp-$r" > "$out/dp-$r.log" 2>&1 ||
    { cat "$out/dp-$r.log" >&2; exit 1; }
  read -r s c <<< "$(step_figures "$out/dp-$r")"
  dp_steps+=("$s"); dp_comm+=("$c")
  printf '   run %d: 1 rank %.3f s/step | %d ranks %.3f s/step, allreduce %.4f s/step\n' "$r" "${single_steps[-1]}" \
    "$nproc_dp" "$s" "$c"
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
one="$(median "${single_steps[@]}")"; two="$(median "${dp_steps[@]}")"; comm="$(median "${dp_comm[@]}")"
echo "== medians over $repeats run(s)"
printf '1 rank x %d threads:   %.3f s/step\n' "$threads" "$one"
printf '%d ranks x %d thread(s): %.3f s/step, of which allreduce %.4f s/step (%.1f%%)\n' "$nproc_dp" "$per_rank" "$two" \
  "$comm" "$(awk -v c="$comm" -v t="$two" 'BEGIN { print 100 * c / t }')"
printf 'ratio %d-rank / 1-rank step: %.3f (target <= 1.15)\n' "$nproc_dp" "$(awk -v a="$two" -v b="$one" 'BEGIN { print a / b }')"
