#!/usr/bin/env bash
# A hyperparameter sweep from plain shell: one `wei-run run` per point, overrides on the command
# line, one --out directory per point, then a table over seeds.
#   scripts/sweep_shell_example.sh [ROOT]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="${1:-results/shell-sweep}"
bin=build/wei-run
[ -x "$bin" ] || { source scripts/setup.sh; wei_build wei-run; }
for method in gd label_noise; do
  for seed in 0 1 2; do
    out="$root/method=$method,seed=$seed"
    # Finished points are skipped; an interrupted one is resumed from its checkpoint.
    status=$(jq -r .status "$out/metrics.json" 2>/dev/null || true)
    case "$status" in
      ok) continue ;;
      interrupted) "$bin" run configs/label_noise/label_noise.yaml method=$method seed=$seed --out "$out" --resume ;;
      *) "$bin" run configs/label_noise/label_noise.yaml method=$method seed=$seed --out "$out" --force ;;
    esac
  done
done
"$bin" summarize "$root" --by spec.method --metrics final.test_error
