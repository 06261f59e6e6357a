#!/usr/bin/env bash
# Runs a CPU profile of all_layer_margin or large_lr_patch twice, with wei-run and with the official
# training recipe (the Python drivers in tools/bench/, Debian's python3-torch), on the same CIFAR-10
# folder, profile and seeds, then prints the two side by side. Each config is read once, resolved by
# `wei-run validate`, and translated into the driver's options (tools/bench/official_args.py), so
# both sides train what the config says; a config the official recipe cannot follow is refused.
#
# Usage: scripts/reproduce_cpu_effect.sh TRAINER [options] [key=value ...]
#   TRAINER             all_layer_margin or large_lr_patch
#   --configs "A B"     config names under configs/TRAINER/ (default: its cpu_effect_*.yaml)
#   --seeds "0 1 2"     seeds to run (default "0 1 2")
#   --side S            wei-run, official or both (default both)
#   --out DIR           results root (default results/cpu_effect/TRAINER): DIR/SIDE/CONFIG/seed_S
#   --data DIR          the CIFAR-10 folder (default .cache/cifar10, as the tests build it)
#   --jobs N            runs at once, the cores split between them (default 1)
#   --report-only       run nothing, print the tables from existing results
#   --dry-run           print the commands instead of running them
#   key=value           overrides for every run, applied to both sides (e.g. optim.epochs=2)
# Environment: WEI_RUN (default build/wei-run). A run whose metrics.json says "ok" is not redone;
# an interrupted wei-run run continues from its checkpoint, an official one starts over.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/reproduce.sh
source "$here/scripts/lib/reproduce.sh"
wei_run="${WEI_RUN:-$here/build/wei-run}"
[[ $# -gt 0 && "$1" != -* ]] || { echo "usage: $0 all_layer_margin|large_lr_patch [options] (see --help)" >&2; exit 2; }
[[ "$1" == -h || "$1" == --help ]] && { sed -n '2,21p' "$0"; exit 0; }
trainer="$1"; shift
case "$trainer" in
  all_layer_margin) driver="$here/tools/bench/amo_train_reference.py" ;;
  large_lr_patch) driver="$here/tools/bench/large_lr_reference.py" ;;
  *) echo "no official driver for trainer '$trainer' (all_layer_margin, large_lr_patch)" >&2; exit 2 ;;
esac
config_names=""; seeds="0 1 2"; side="both"; out="results/cpu_effect/$trainer"; data="$here/.cache/cifar10"
jobs=1; report_only=0; dry_run=0; overrides=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --configs) config_names="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --side) side="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --report-only) report_only=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *=*) overrides+=("$1"); shift ;;
    *) echo "unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$side" =~ ^(wei-run|official|both)$ ]] || { echo "--side: wei-run, official or both, not '$side'" >&2; exit 2; }
if [[ -z "$config_names" ]]; then
  config_names="$(cd "$here/configs/$trainer" && { ls cpu_effect_*.yaml 2>/dev/null || true; } | sed 's/\.yaml$//' | tr '\n' ' ')"
fi
[[ -n "${config_names// /}" ]] || { echo "no configs: configs/$trainer has no cpu_effect_*.yaml (name some with --configs)" >&2; exit 2; }
for name in $config_names; do
  [[ -f "$here/configs/$trainer/$name.yaml" ]] || { echo "configs/$trainer/$name.yaml: no such config" >&2; exit 2; }
done
threads=$(( $(nproc) / jobs )); threads=$(( threads > 0 ? threads : 1 ))

# Ends a command line: its console output goes to LOG, beside the run's folder.
log_to() { printf '> %q 2>&1\n' "$1"; }

# One command line per (side, config, seed) still to run.
plan_of() {
  local name="$1" seed config="$here/configs/$trainer/$name.yaml" official_args
  if [[ "$side" != official ]]; then
    for seed in $seeds; do
      grep -qs '^  "status": "ok",$' "$out/wei-run/$name/seed_$seed/metrics.json" && continue
      printf '%q ' "$wei_run" run "$config" "seed=$seed" "data.root=$data" "threads=$threads" "${overrides[@]}" \
        --out "$out/wei-run/$name/seed_$seed" --continue
      log_to "$out/wei-run/$name/seed_$seed.log"
    done
  fi
  if [[ "$side" != wei-run ]]; then
    official_args="$("$wei_run" validate "$config" "${overrides[@]}" 2>/dev/null | /usr/bin/python3 "$here/tools/bench/official_args.py")" ||
      { echo "configs/$trainer/$name.yaml: the official recipe cannot run this profile (above)" >&2; exit 2; }
    for seed in $seeds; do
      grep -qs '"status": "ok"' "$out/official/$name/seed_$seed/metrics.json" && continue
      # shellcheck disable=SC2086
      printf '%q ' /usr/bin/python3 "$driver" "$data" $official_args --seed "$seed" --threads "$threads" \
        --name "$name" --out "$out/official/$name/seed_$seed"
      log_to "$out/official/$name/seed_$seed.log"
    done
  fi
}

if [[ $report_only -eq 0 ]]; then
  [[ $dry_run -eq 1 ]] || require_wei_run
  if [[ "$side" != wei-run ]]; then
    # shellcheck source=scripts/setup.sh
    source "$here/scripts/setup.sh"
    wei_install_packages python3-yaml  # official_args.py reads the resolved spec
    if [[ $dry_run -eq 0 ]]; then
      # shellcheck source=scripts/lib/bench.sh
      source "$here/scripts/lib/bench.sh"
      [[ -f "$data/test_batch.bin" || -f "$data/cifar-10-batches-bin/test_batch.bin" ]] || {
        echo "$data: no CIFAR-10 binary files, which the official side needs (--data DIR, or run the tests once to" \
          "build .cache/cifar10); or --side wei-run" >&2
        exit 2
      }
      bench_python_reference "$data"
    fi
  fi
  plan=""
  for name in $config_names; do plan+="$(plan_of "$name")"$'\n'; done
  if [[ $dry_run -eq 1 ]]; then grep -v '^$' <<<"$plan" || true; exit 0; fi
  for s in wei-run official; do for name in $config_names; do mkdir -p "$out/$s/$name"; done; done
  { grep -v '^$' <<<"$plan" || true; } | xargs -r -P "$jobs" -I{} bash -c '{} || echo "!! did not end ok (its log: the .log file named last): {}" >&2'
fi

dirs=()
for s in wei-run official; do
  for name in $config_names; do [[ -d "$out/$s/$name" ]] && dirs+=("$out/$s/$name"); done
done
[[ ${#dirs[@]} -gt 0 ]] || { echo "(no results yet under $out)"; exit 0; }
echo "== $trainer: wei-run beside the official recipe, last epoch, mean ± std over seeds"
if [[ "$trainer" == all_layer_margin ]]; then
  metrics=(final.test_error final.train_accuracy final.margin_train_mean final.margin_test_mean best.test_error)
else
  metrics=(final.test_accuracy final.patch_only_accuracy final.patched_test_accuracy final.train_patched_accuracy
           final.train_clean_accuracy)
fi
"$wei_run" summarize "${dirs[@]}" --by spec.trainer spec.name --metrics "${metrics[@]}" 2>/dev/null || echo "(no finished runs yet)"
