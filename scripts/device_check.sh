#!/usr/bin/env bash
# The CUDA checks, as one command for the GPU machine (device time is scarce, so
# everything is prepared here and the machine only builds and runs).
#
# Here, once:   scripts/build_cuda.sh fetch
#               /usr/bin/python3 tools/bench/cifar_lt_pack.py pack .cache/cifar10 .cache/cifar10_lt100.zip
#               (.cache/cifar10 is what the test suite builds from ../shared/data)
# There:        scripts/device_check.sh [STAGE...]   with .cache/cuda-debs and .cache/cifar10_lt100.zip
#               carried; results and logs go to $OUT (default results/device_check)
# Stages (default: all, in this order):
#   build    scripts/build_cuda.sh build wei-run
#   cifar    CIFAR-10-LT-100 LDAM-DRW, 200 epochs, bf16, device cuda: wall time (target < 3 min) and
#            test error; then the same spec in fp32
#   bench    scripts/bench_imbalanced_cifar.sh --device cuda --epochs 3 --no-reference
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT:-$here/results/device_check}"
build="${WEI_CUDA_BUILD_DIR:-$here/build-cuda}"
mkdir -p "$out"
# jq from the unpacked .deb files (the machine has no Debian packages); build_cuda.sh unpacks them.
export PATH="$here/.cache/cuda-prefix/usr/bin:$PATH"
export LD_LIBRARY_PATH="$here/.cache/cuda-prefix/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$out/gpu.txt" || true

cifar_root() {
  local root="$here/.cache/cifar10_lt"
  if [[ ! -f "$root/cifar-10-batches-bin/test_batch.bin" ]]; then
    [[ -f "$here/.cache/cifar10_lt100.zip" ]] || { echo "no .cache/cifar10_lt100.zip (see the header of $0)" >&2; exit 2; }
    python3 "$here/tools/bench/cifar_lt_pack.py" unpack "$here/.cache/cifar10_lt100.zip" "$root" >&2
  fi
  echo "$root"
}

stage_build() {
  "$here/scripts/build_cuda.sh" build wei-run 2>&1 | tail -5
}

stage_cifar() {
  local root
  root="$(cifar_root)"
  for precision in bf16 fp32; do
    local dir="$out/cifar10_lt100_ldam_drw_cuda_$precision"
    local start=$SECONDS
    "$build/wei-run" run "$here/configs/imbalanced_cifar/cifar10_lt100_ldam_drw.yaml" "data.root=$root" \
      device=cuda "precision=$precision" --out "$dir" --force > "$out/cifar_$precision.log" 2>&1 ||
      { echo "cifar $precision failed:"; tail -5 "$out/cifar_$precision.log"; continue; }
    jq -r --arg p "$precision" --argjson wall $((SECONDS - start)) '
      "cifar \($p): \($wall) s wall for \(.spec.optim.epochs) epochs (\(.run.wall_seconds | . * 10 | round / 10) s in the runner), final test error \(.final.test_error)%, best \(.best.test_error)% at epoch \(.best.epoch), device \(.run.device)"' \
      "$dir/metrics.json" | tee -a "$out/summary.txt"
  done
}

stage_bench() {
  BUILD="$build" "$here/scripts/bench_imbalanced_cifar.sh" --device cuda --epochs 3 --no-reference \
    --data "$(cifar_root)" 2>&1 | tee "$out/bench.txt"
}

stages=("$@")
[[ ${#stages[@]} -gt 0 ]] || stages=(build cifar bench)
for stage in "${stages[@]}"; do
  echo "== $stage"
  "stage_$stage"
done
