#!/usr/bin/env bash
# The same sweep on a Slurm cluster: one job-array task per point. Rerunning this after a time
# limit or preemption resubmits, and each task resumes its point from its checkpoint.
#   scripts/sweep_slurm_example.sh [ROOT] [PARTITION]
# Without a cluster, `eval "$(scripts/slurm_local.sh start)"` starts a single-node Slurm here.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="${1:-results/slurm-sweep}"
partition="${2:-}"
[ -x build/wei-run ] || { source scripts/setup.sh; wei_build wei-run; }
extra=()
[ -n "$partition" ] && extra+=(--slurm-partition "$partition")
build/wei-run sweep configs/label_noise/label_noise.yaml method=gd,label_noise seed='range(0,3)' \
  --out "$root" --launcher slurm --slurm-cpus 2 --slurm-time 00:30:00 --slurm-mem 2G "${extra[@]}"
echo "watch with: squeue; then: build/wei-run summarize $root --by spec.method"
