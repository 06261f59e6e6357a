#!/usr/bin/env bash
# Speed of the hmm_prompt trainer's pieces, measured in one run so the ratios mean something on a
# noisy machine:
#  1. exact forward-backward (C++, log-space) throughput in tokens per CPU second by hidden states H,
#     on 4 sequences x 10,240 tokens, against a straightforward numpy/scipy log-space implementation
#     (tools/bench/hmm_fb_reference.py, Debian's python3-scipy) on the very same sequences; the
#     summed log-likelihoods of both must agree;
#  2. MLM pretraining tokens/s of the default CPU model (the trainer's schema defaults), per wall
#     second and per process CPU second.
# Usage: scripts/bench_hmm.sh [--threads N] [--states "4 10 30"] [--steps N]
# Environment: BUILD (default build), the folder holding wei_tests.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD:-$here/build}"
threads="$(nproc)"; states="4 10 30"; steps=20
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --states) states="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -x "$build/wei_tests" ]] || { echo "no wei_tests at $build (set BUILD, or build target wei_tests)" >&2; exit 2; }
# shellcheck source=scripts/setup.sh
source "$here/scripts/setup.sh"
wei_install_packages python3-numpy python3-scipy  # the numpy/scipy reference
python=/usr/bin/python3

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bench() {  # runs one hidden Catch2 bench case, keeping only its printed figures
  OMP_NUM_THREADS="$threads" "$build/wei_tests" "$1" --use-colour no | grep -E '^(fb|pretrain) ' || true
}

echo "== machine: $(nproc) cores visible, threads $threads (forward-backward is single-threaded), device cpu"
echo "== 1. forward-backward, 4 x 10,240 tokens per H: wei-run C++ vs numpy/scipy reference"
WEI_BENCH_HMM_DIR="$work" WEI_BENCH_HMM_STATES="$states" bench 'hmm forward-backward throughput' > "$work/cpp.txt"
# shellcheck disable=SC2086
OMP_NUM_THREADS=1 "$python" "$here/tools/bench/hmm_fb_reference.py" "$work" $states > "$work/ref.txt"
printf '%4s %14s %14s %9s %s\n' H "C++ tok/cpu-s" "numpy tok/cpu-s" speedup "loglik (C++ | numpy)"
join <(awk '{print $2, $5, $6}' "$work/cpp.txt" | sort) <(awk '{print $2, $5, $6}' "$work/ref.txt" | sort) |
  sort -n | awk '{
    d = $3 - $5; if (d < 0) d = -d; ok = (d <= 1e-6 * ($3 < 0 ? -$3 : $3)) ? "agree" : "DISAGREE";
    printf "%4d %14.0f %14.0f %8.1fx %.6f | %.6f %s\n", $1, $2, $4, $2 / $4, $3, $5, ok }'

echo "== 2. MLM pretraining, default CPU model, $steps steps"
WEI_BENCH_HMM_STEPS="$steps" bench 'hmm pretraining throughput'
