#!/usr/bin/env bash
# Runs the CPU profile of the self_training trainer (Wei, Shen, Chen & Ma 2021; FixMatch, Sohn et al.
# 2020) and prints its tables: supervised vs pseudo-labelling vs FixMatch at 4,000 and 250 labels,
# the teacher-student objective (none / augment / l2 neighbourhoods, each seed's teacher being that
# seed's cpu_supervised_4000 run), and the toy sweep over the expansion constant c.
#
# Usage: scripts/reproduce_self_training.sh [options] [key=value ...]
#   --only REGEX        only configs whose name matches (e.g. 'teacher_student|supervised_4000')
#   --seeds "0 1 2"     seeds to run (default "0 1 2")
#   --out DIR           results root (default results/self_training)
#   --data DIR          the CIFAR-10 folder for data.root (default .cache/cifar10, as the tests build it)
#   --jobs N            runs at once, the cores split between them (default 1)
#   --report-only       run nothing, print the tables from existing results
#   --dry-run           print the commands instead of running them
#   key=value           extra overrides for every CIFAR-10 run (e.g. device=cuda)
# Environment: WEI_RUN (default build/wei-run). A run whose metrics.json says "ok" is not redone.
# Cost on 2 cores: a FixMatch run about 25 minutes, a supervised one about 5, a teacher-student
# student 15 to 30; the toy sweep 2 minutes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/reproduce.sh
source "$here/scripts/lib/reproduce.sh"
wei_run="${WEI_RUN:-$here/build/wei-run}"
only="."; seeds="0 1 2"; out="results/self_training"; data="$here/.cache/cifar10"; jobs=1
report_only=0; dry_run=0; overrides=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --only) only="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --report-only) report_only=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *=*) overrides+=("$1"); shift ;;
    *) echo "unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

# The teachers (cpu_supervised_4000) come before their students.
names=(cpu_supervised_4000 cpu_supervised_250 cpu_pseudo_label_4000 cpu_pseudo_label_250 cpu_fixmatch_4000
       cpu_fixmatch_250 cpu_teacher_student_none_4000 cpu_teacher_student_augment_4000
       cpu_teacher_student_l2_4000 toy_expansion)
configs=()
for name in "${names[@]}"; do [[ "$name" =~ $only ]] && configs+=("$name"); done
[[ ${#configs[@]} -gt 0 ]] || { echo "no config matches '$only'" >&2; exit 2; }
if [[ $jobs -gt 1 ]]; then threads=$(( $(nproc) / jobs )); overrides+=("threads=$(( threads > 0 ? threads : 1 ))"); fi

# The commands of one config, one line per seed (the toy sweep is one command).
commands_of() {
  local name="$1" seed teacher
  if [[ "$name" == toy_expansion ]]; then
    printf '%q ' "$wei_run" sweep "$here/configs/self_training/toy_expansion.yaml" --jobs "$jobs" --out "$out/toy_expansion"
    echo
    return
  fi
  for seed in $seeds; do
    # A finished run is left as it is, even when it ran with other threads than this invocation's.
    grep -qs '^  "status": "ok",$' "$out/$name/seed_$seed/metrics.json" && continue
    local args=("$here/configs/self_training/$name.yaml" "seed=$seed" "data.root=$data")
    if [[ "$name" == cpu_teacher_student_* ]]; then
      teacher="$out/cpu_supervised_4000/seed_$seed"
      args+=("teacher.checkpoint=$teacher")
    fi
    printf '%q ' "$wei_run" run "${args[@]}" "${overrides[@]}" --out "$out/$name/seed_$seed" --continue
    echo
  done
}

if [[ $report_only -eq 0 ]]; then
  [[ $dry_run -eq 1 ]] || require_wei_run
  plan="$(for name in "${configs[@]}"; do commands_of "$name"; done)"
  if [[ $dry_run -eq 1 ]]; then echo "$plan"; exit 0; fi
  # Teachers first, alone, so that every student finds its checkpoint; then the rest, $jobs at once.
  # (grep finds nothing when --only leaves out one of the two groups.)
  { grep -F "cpu_supervised_4000.yaml" <<<"$plan" || true; } |
    xargs -r -P "$jobs" -I{} bash -c '{} || echo "!! did not end ok: {}" >&2'
  { grep -vF "cpu_supervised_4000.yaml" <<<"$plan" || true; } |
    xargs -r -P "$jobs" -I{} bash -c '{} || echo "!! did not end ok: {}" >&2'
fi

summary() { "$wei_run" summarize "$@" 2>/dev/null || echo "(no results yet)"; }
cifar_dirs=()
for name in "${configs[@]}"; do
  [[ "$name" == cpu_* && -d "$out/$name" ]] && cifar_dirs+=("$out/$name")
done
if [[ ${#cifar_dirs[@]} -gt 0 ]]; then
  echo "== CIFAR-10 CPU profile: test error (median of the last evaluations), %"
  summary "${cifar_dirs[@]}" --by spec.name --metrics final.test_error final.test_error_last final.mask_rate \
    final.pseudo_label_accuracy
  echo
  echo "== teacher vs student, both at their last evaluation"
  ts_dirs=()
  for dir in "${cifar_dirs[@]}"; do [[ "$dir" == *teacher_student* ]] && ts_dirs+=("$dir"); done
  [[ ${#ts_dirs[@]} -eq 0 ]] || summary "${ts_dirs[@]}" --by spec.consistency.neighbourhood --metrics \
    final.teacher_student.teacher_test_error final.teacher_student.student_test_error \
    final.teacher_student.teacher_errors_corrected final.teacher_student.teacher_right_broken \
    final.teacher.expansion.ratio
fi
if [[ " ${configs[*]} " == *" toy_expansion "* && -d "$out/toy_expansion" ]]; then
  echo
  echo "== toy: the student against Theorem 4.3's bound (teacher error 10 %)"
  summary "$out/toy_expansion" --by spec.toy.shift spec.consistency.neighbourhood --metrics \
    final.theory.expansion_c final.theory.error_bound final.test_error best.test_error \
    final.teacher_student.teacher_errors_corrected final.teacher_student.teacher_right_broken
fi
