#!/usr/bin/env bash
# Same spec + seed -> the same metrics before and after a change: builds BASE_COMMIT and the working
# tree, runs the regression cases with both binaries on the CPU, and compares each pair of
# metrics.json with `wei-run diff` (which ignores the volatile run block).
#
# Usage: scripts/check_regressions.sh BASE_COMMIT [--only REGEX] [--rtol R] [--fresh]
#   BASE_COMMIT   any git revision; built once into .cache/regress/<commit>/ and its results kept there
#   --only REGEX  only the cases whose name matches
#   --rtol R      relative tolerance passed to wei-run diff (default 0: bit-identical)
#   --fresh       rerun the base cases even when their results are cached
#
# The cases: quickstart and every configs/label_noise spec; the Gaussian toy with entropy
# minimisation and with pseudo-labels; colored MNIST 0.95 with entropy minimisation on the real MNIST;
# hmm_prompt quick_h4 and a small memory HMM; max_margin's hypersphere; 2 epochs of
# cifar10_lt100_ldam_drw on the real CIFAR-10 in fp32 and in bf16; all_layer_margin (AMO
# channels-last, SGD NCHW) and large_lr_patch (large lr NCHW, activation noise channels-last) on
# 512 real CIFAR-10 images, long enough to pass their first learning-rate (and noise) milestone.
# Cases whose data is absent are skipped with a message. The data: WEI_DATA_DIR, default ../shared/data
# beside the checkout (mnist/, cifar10/build_cifar10_bin.py).
#
# What is compared: everything in metrics.json but the volatile run block and the resolved spec
# (status, data, history, final, best, error, spec_warnings). Each binary runs its own commit's
# configs, so the spec says the same experiment in each version's keys (a renamed key, a milestone
# in another convention, a key a version added with the default that keeps the old behaviour); the
# spec differences are printed for the reader, not counted.
# Exit code: 0 when every case agrees, 1 when any differs or fails to run, 2 on bad usage.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/setup.sh
source "$here/scripts/setup.sh"

base=""; only="."; rtol=0; fresh=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --only) only="$2"; shift 2 ;;
    --rtol) rtol="$2"; shift 2 ;;
    --fresh) fresh=1; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    -*) echo "unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) [[ -z "$base" ]] || { echo "one BASE_COMMIT only (see --help)" >&2; exit 2; }; base="$1"; shift ;;
  esac
done
[[ -n "$base" ]] || { echo "usage: scripts/check_regressions.sh BASE_COMMIT [--only REGEX] [--rtol R] [--fresh]" >&2; exit 2; }
commit="$(git -C "$here" rev-parse --verify "$base^{commit}" 2>/dev/null)" || { echo "not a commit: $base" >&2; exit 2; }

cache="$here/.cache/regress"
base_src="$cache/$commit/src"
base_build="$cache/$commit/build"
base_runs="$cache/$commit/runs"
new_runs="$cache/working-tree/runs"
shared="${WEI_DATA_DIR:-$(cd "$here/.." && pwd)/shared/data}"
cifar_root="$here/.cache/cifar10"

# --- Build both binaries. ---
wei_build wei-run
new_bin="$WEI_BUILD_DIR/wei-run"
if [[ ! -x "$base_build/wei-run" ]]; then
  rm -rf "$base_src"
  mkdir -p "$cache/$commit"
  git -C "$here" archive --format=tar --prefix=src/ "$commit" | tar -x -C "$cache/$commit"
  # The base records its commit as run.git_commit; diff ignores the run block, so an unknown commit
  # there changes nothing that is compared.
  cmake -S "$base_src" -B "$base_build" -DCMAKE_BUILD_TYPE=Release -DWEI_BUILD_TESTS=OFF >/dev/null
  cmake --build "$base_build" -j"$(nproc)" --target wei-run
fi
base_bin="$base_build/wei-run"

# --- The cases: name, then the arguments of `wei-run run` (paths relative to the repository root). ---
cases=()
add_case() { cases+=("$*"); }
add_case quickstart configs/quickstart.yaml
for f in "$here"/configs/label_noise/*.yaml; do
  add_case "label_noise_$(basename "$f" .yaml)" "configs/label_noise/$(basename "$f")"
done
add_case toy_entropy configs/spurious_selftrain/toy_entropy.yaml
add_case toy_pseudo_label configs/spurious_selftrain/toy_pseudo_label.yaml
if [[ -f "$shared/mnist/train-images-idx3-ubyte.gz" ]]; then
  add_case colored_mnist_095_entropy configs/spurious_selftrain/colored_mnist_095_entropy.yaml \
    "data.root=$shared/mnist"
else
  echo "skip colored_mnist_095_entropy: no MNIST at $shared/mnist" >&2
fi
add_case hmm_quick_h4 configs/hmm_prompt/quick_h4.yaml
if [[ ! -f "$cifar_root/cifar-10-batches-bin/test_batch.bin" && -f "$shared/cifar10/build_cifar10_bin.py" ]]; then
  wei_install_packages python3-pil
  /usr/bin/python3 "$shared/cifar10/build_cifar10_bin.py" "$cifar_root" >/dev/null
fi
if [[ -f "$cifar_root/cifar-10-batches-bin/test_batch.bin" ]]; then
  for precision in fp32 bf16; do
    add_case "cifar10_lt100_ldam_drw_2ep_$precision" configs/imbalanced_cifar/cifar10_lt100_ldam_drw.yaml \
      "data.root=$cifar_root" optim.epochs=2 "precision=$precision"
  done
  small_cifar=("data.root=$cifar_root" data.train_size=512 data.test_size=256)
  add_case alm_amo_channels_last configs/all_layer_margin/cpu_wrn16_amo.yaml "${small_cifar[@]}" model.widen=1 \
    optim.epochs=7 margin.train_examples=16 margin.test_examples=16 margin.every=3
  add_case alm_sgd_nchw configs/all_layer_margin/cpu_wrn16_sgd.yaml "${small_cifar[@]}" model.widen=1 \
    optim.epochs=7 margin.train_examples=16 margin.test_examples=16 margin.every=3 channels_last=false
  add_case llp_large_lr_nchw configs/large_lr_patch/cpu_large_lr.yaml "${small_cifar[@]}" optim.epochs=11 \
    eval.patch_only_images=100 channels_last=false
  add_case llp_act_noise configs/large_lr_patch/cpu_act_noise.yaml "${small_cifar[@]}" optim.epochs=11 \
    eval.patch_only_images=100
else
  echo "skip cifar10_lt100_ldam_drw, all_layer_margin, large_lr_patch: no CIFAR-10 at $shared/cifar10" >&2
fi
add_case hmm_memory_m2 configs/hmm_prompt/memory_m2.yaml model.layers=1 model.width=32 model.heads=2 \
  model.ff_width=64 pretrain.sequences=100 pretrain.sequence_length=320 pretrain.steps=60 pretrain.batch_size=16 \
  pretrain.log_every=20 tune.head_epochs=2 tune.prompt_epochs=2
add_case hypersphere configs/max_margin/hypersphere_part2_cpu.yaml hypersphere.dim=50 hypersphere.width=100 \
  hypersphere.n_train=256 hypersphere.n_test=512 hypersphere.max_passes=30 hypersphere.passes_per_row=5

# run_case BINARY TREE RUNS_DIR NAME ARGS...: one run into RUNS_DIR/NAME (replacing what is there),
# its spec path read in TREE: each binary runs its own commit's configs, so a config key that only
# the newer binary knows (a `reference:` block) does not fail the base.
run_case() {
  local bin="$1" tree="$2" runs="$3" name="$4"
  shift 4
  rm -rf "${runs:?}/$name"
  mkdir -p "$runs"
  (cd "$tree" && "$bin" run "$@" device=cpu --out "$runs/$name" >"$runs/$name.log" 2>&1) || {
    echo "  $bin exited $? (log: $runs/$name.log)" >&2
    return 1
  }
}

# Writes metrics.json A without its run and spec blocks (what is compared) to OUT.
results_of() { jq 'del(.run, .spec)' "$1" >"$2"; }

failed=0; compared=0
for entry in "${cases[@]}"; do
  read -r -a words <<<"$entry"
  name="${words[0]}"
  [[ "$name" =~ $only ]] || continue
  args=("${words[@]:1}")
  echo "== $name" >&2
  if [[ $fresh -eq 1 || ! -f "$base_runs/$name/metrics.json" ]]; then
    run_case "$base_bin" "$base_src" "$base_runs" "$name" "${args[@]}" || { failed=$((failed + 1)); continue; }
  fi
  run_case "$new_bin" "$here" "$new_runs" "$name" "${args[@]}" || { failed=$((failed + 1)); continue; }
  compared=$((compared + 1))
  left="$new_runs/$name.base-results.json"; right="$new_runs/$name.results.json"
  results_of "$base_runs/$name/metrics.json" "$left"
  results_of "$new_runs/$name/metrics.json" "$right"
  jq '{spec}' "$base_runs/$name/metrics.json" >"$left.spec"
  jq '{spec}' "$new_runs/$name/metrics.json" >"$right.spec"
  "$new_bin" diff "$left.spec" "$right.spec" 2>&1 | sed 's/^/  spec (not counted): /' >&2 || true
  if "$new_bin" diff "$left" "$right" --rtol "$rtol"; then
    echo "  same metrics" >&2
  else
    echo "  DIFFERENT: $base_runs/$name/metrics.json vs $new_runs/$name/metrics.json" >&2
    failed=$((failed + 1))
  fi
done
echo "check_regressions: $compared case(s) compared against $base ($commit), $failed differing or failing" >&2
[[ $failed -eq 0 ]]
