#!/usr/bin/env bash
# Reproduces Chen, Wei, Kumar, Ma, "Self-training Avoids Using Spurious Features Under Domain
# Shift" (NeurIPS 2020) with the spurious_selftrain trainer: the Gaussian toy (entropy
# minimisation and pseudo-labelling), colored MNIST at correlation 0.95 and 0.97, and CelebA on
# the 2,600-image subset of ../shared/data/celeba (or a full CelebA with --celeba-root), then
# prints a before/after table.
#
# Usage: scripts/reproduce_spurious.sh [options] [key=value ...]
#   --only REGEX        only configs whose name matches (e.g. '^toy')
#   --seeds "0 1 2"     seeds to run (default "0")
#   --out DIR           results root (default results/spurious_selftrain)
#   --data DIR          shared data folder (default ../shared/data next to the repository)
#   --celeba-root DIR   a full CelebA (list_attr_celeba.txt, list_eval_partition.txt,
#                       img_align_celeba/): also runs configs/spurious_selftrain/celeba.yaml
#   --quick             short schedules (toy steps / 10 with lr x 10; 3 MNIST epochs, 60 steps)
#   --report-only       run nothing, print the table from existing results
#   --dry-run           print the commands instead of running them
#   key=value           extra overrides for every run (e.g. device=cuda)
# Environment: WEI_RUN (default build/wei-run). A run whose metrics.json says "ok" is not redone.
# Expected (paper): toy spurious norm about 0.46 -> below 0.05 and target accuracy to Bayes 0.977.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/reproduce.sh
source "$here/scripts/lib/reproduce.sh"
wei_run="${WEI_RUN:-$here/build/wei-run}"
only="."; seeds="0"; out="results/spurious_selftrain"; data="$here/../shared/data"; celeba_root=""
report_only=0; dry_run=0; quick=0; overrides=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --only) only="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --celeba-root) celeba_root="$2"; shift 2 ;;
    --quick) quick=1; out="${out%/}_quick"; shift ;;
    --report-only) report_only=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *=*) overrides+=("$1"); shift ;;
    *) echo "unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

names=(toy_entropy toy_pseudo_label colored_mnist_095_entropy colored_mnist_097_entropy
       colored_mnist_095_pseudo_label colored_mnist_097_pseudo_label celeba_subset)
[[ -n "$celeba_root" ]] && names+=(celeba)
configs=()
for name in "${names[@]}"; do [[ "$name" =~ $only ]] && configs+=("$name"); done
[[ ${#configs[@]} -gt 0 ]] || { echo "no config matches '$only'" >&2; exit 2; }

# Per-config overrides: data locations, and the --quick schedules.
config_args() {
  local name="$1"
  case "$name" in
    colored_mnist*) echo "data.root=$data/mnist" ;;
    celeba_subset) echo "data.root=$here/.cache/celeba" ;;
    celeba) echo "data.root=$celeba_root" ;;
  esac
  if [[ $quick -eq 1 ]]; then
    case "$name" in
      toy_entropy) echo "gaussian.lr=0.01 gaussian.source_steps=2000 gaussian.target_steps=1000 gaussian.log_every=100" ;;
      toy_pseudo_label) echo "gaussian.lr=0.01 gaussian.source_steps=2000 gaussian.pl_steps=100 gaussian.log_every=100" ;;
      colored_mnist*entropy) echo "colored_mnist.source_epochs=3 colored_mnist.adapt_steps=60 colored_mnist.log_every=20" ;;
      colored_mnist*pseudo_label) echo "colored_mnist.source_epochs=3" ;;
      celeba*) echo "celeba.source_epochs=3 celeba.adapt_steps=200 celeba.log_every=100" ;;
    esac
  fi
}

# The CelebA subset comes as a tar: extract it once into the git-ignored .cache/.
prepare_celeba_subset() {
  local dest="$here/.cache/celeba"
  [[ -d "$dest/img_align_celeba" ]] && return 0
  [[ -f "$data/celeba/img_align_celeba_subset.tar" ]] || { echo "no CelebA subset under $data/celeba" >&2; return 1; }
  mkdir -p "$dest"
  tar -xf "$data/celeba/img_align_celeba_subset.tar" -C "$dest"
  ln -sf "$data/celeba/list_attr_celeba.txt.gz" "$data/celeba/list_eval_partition.txt.gz" "$dest/"
}

if [[ $report_only -eq 0 ]]; then
  require_wei_run
  for name in "${configs[@]}"; do
    [[ "$name" == celeba_subset && $dry_run -eq 0 ]] && { prepare_celeba_subset || continue; }
    # shellcheck disable=SC2207
    extra=($(config_args "$name"))
    for seed in $seeds; do
      run_point "$out/$name/seed_$seed" "$here/configs/spurious_selftrain/$name.yaml" "seed=$seed" "${extra[@]}" \
        "${overrides[@]}"
    done
  done
  [[ $dry_run -eq 1 ]] && exit 0
fi

# One row per config and seed: source acc, target acc before -> after, spurious norm before ->
# after (linear toy), Bayes accuracy (toy), worst-group accuracy before -> after (CelebA).
fmt='def f: if . == null then "-" else (. * 1000 | round / 1000 | tostring) end;'
printf '%-34s %-5s %7s %7s %7s %7s %7s %7s %7s %7s\n' config seed src_acc tgt_bef tgt_aft w2_bef w2_aft bayes wg_bef wg_aft
for name in "${configs[@]}"; do
  for seed in $seeds; do
    m="$out/$name/seed_$seed/metrics.json"
    if [[ ! -f "$m" ]]; then printf '%-34s %-5s %s\n' "$name" "$seed" "(no result)"; continue; fi
    if [[ "$(jq -r .status "$m")" != ok ]]; then
      printf '%-34s %-5s %s\n' "$name" "$seed" "($(jq -r .status "$m"): $(jq -r '.error // ""' "$m"))"; continue
    fi
    jq -r --arg n "$name" --arg s "$seed" "$fmt"'
      .final | [$n, $s, (.source_acc|f), (.target_acc_before|f), (.target_acc_after|f),
                (.spurious_norm_before|f), (.spurious_norm_after|f), (.bayes_acc|f),
                (.worst_group_acc_before|f), (.worst_group_acc|f)] | @tsv' "$m" |
      awk -F'\t' '{printf "%-34s %-5s %7s %7s %7s %7s %7s %7s %7s %7s\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10}'
  done
done
