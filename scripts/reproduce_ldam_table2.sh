#!/usr/bin/env bash
# Reproduces Table 2 of Cao et al. 2019 (LDAM-DRW): runs configs/imbalanced_cifar/<cell>.yaml for
# each seed and prints our best-epoch top-1 error (mean +- std over seeds) next to the paper's.
#
# Usage: scripts/reproduce_ldam_table2.sh [options] [key=value ...]
#   --seeds "0 1 2"    seeds to run (default "0")
#   --cifar10 DIR      folder with cifar-10-batches-bin/ (default data/cifar10)
#   --cifar100 DIR     folder with cifar-100-binary/ (default data/cifar100)
#   --only REGEX       only configs whose name matches (e.g. 'cifar10_lt100_')
#   --out DIR          results root (default results/ldam_table2)
#   --report-only      run nothing, print the table from existing results
#   --dry-run          print the commands instead of running them
#   key=value          extra overrides for every run (e.g. precision=bf16 device=cuda)
# Environment: WEI_RUN (default build/wei-run). A run whose metrics.json says "ok" is not redone.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/reproduce.sh
source "$here/scripts/lib/reproduce.sh"
wei_run="${WEI_RUN:-$here/build/wei-run}"
seeds="0"; c10="data/cifar10"; c100="data/cifar100"; only="."; out="results/ldam_table2"
report_only=0; dry_run=0; overrides=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seeds) seeds="$2"; shift 2 ;;
    --cifar10) c10="$2"; shift 2 ;;
    --cifar100) c100="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --report-only) report_only=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *=*) overrides+=("$1"); shift ;;
    *) echo "unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

configs=()
for f in "$here"/configs/imbalanced_cifar/*.yaml; do
  name="$(basename "$f" .yaml)"
  [[ "$name" =~ $only ]] && configs+=("$f")
done
[[ ${#configs[@]} -gt 0 ]] || { echo "no config matches '$only'" >&2; exit 2; }

if [[ $report_only -eq 0 ]]; then
  require_wei_run
  for f in "${configs[@]}"; do
    name="$(basename "$f" .yaml)"
    root="$c10"; [[ "$name" == cifar100_* ]] && root="$c100"
    for seed in $seeds; do
      run_point "$out/$name/seed_$seed" "$f" "seed=$seed" "data.root=$root" "${overrides[@]}"
    done
  done
  [[ $dry_run -eq 1 ]] && exit 0
fi

# Paper Table 2 (Cao et al. 2019); the CIFAR-100 step columns and the hinge rows have no value here.
declare -A paper=(
  [erm]="29.64 13.61 36.70 17.50 61.68 44.30 - -"
  [focal]="29.62 13.34 36.09 16.36 61.59 44.22 - -"
  [ldam]="26.65 13.04 33.42 15.00 60.40 43.09 - -"
  [cb_rs]="29.45 13.21 38.14 15.41 66.56 44.94 - -"
  [cb_rw]="27.63 13.46 38.06 16.20 66.01 42.88 - -"
  [cb_focal]="25.43 12.90 39.73 16.54 63.98 42.01 - -"
  [m_drw]="24.94 13.57 27.67 13.17 59.49 43.78 - -"
  [ldam_drw]="22.97 11.84 23.08 12.19 57.96 41.29 - -"
  [hg_drs]="- - - - - - - -"
  [ldam_hg_drs]="- - - - - - - -"
)
methods=(erm focal ldam cb_rs cb_rw cb_focal m_drw ldam_drw hg_drs ldam_hg_drs)
cells=(cifar10_lt100 cifar10_lt10 cifar10_step100 cifar10_step10 cifar100_lt100 cifar100_lt10 cifar100_step100 cifar100_step10)

# "mean+-std(n)" of best.test_error over the finished seeds of one config, "-" when none.
ours() {
  local vals=()
  for m in "$out/$1"/seed_*/metrics.json; do
    [[ -f "$m" ]] || continue
    v="$(jq -r 'select(.status == "ok") | .best.test_error // empty' "$m")"
    [[ -n "$v" ]] && vals+=("$v")
  done
  [[ ${#vals[@]} -eq 0 ]] && { echo "-"; return; }
  printf '%s\n' "${vals[@]}" | awk '{s+=$1; q+=$1*$1; n++} END {m=s/n; v=q/n-m*m; if (v<0) v=0;
    if (n>1) printf "%.2f+-%.2f(%d)", m, sqrt(v*n/(n-1)), n; else printf "%.2f", m}'
}

echo "Top-1 test error % (best epoch): ours / paper. Seeds: $seeds"
printf '%-12s' method; for c in "${cells[@]}"; do printf ' %-22s' "$c"; done; echo
for method in "${methods[@]}"; do
  read -r -a p <<< "${paper[$method]}"
  line="$(printf '%-12s' "$method")"; any=0
  for i in "${!cells[@]}"; do
    cfg="${cells[$i]}_$method"
    if [[ ! -f "$here/configs/imbalanced_cifar/$cfg.yaml" ]]; then cell="n/a"; else cell="$(ours "$cfg") / ${p[$i]}"; any=1; fi
    line+="$(printf ' %-22s' "$cell")"
  done
  [[ $any -eq 1 ]] && echo "$line"
done
