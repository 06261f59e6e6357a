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
# The cases (issue 13): quickstart and every configs/label_noise spec; the Gaussian toy with entropy
# minimisation and with pseudo-labels; colored MNIST 0.95 with entropy minimisation on the real MNIST;
# hmm_prompt quick_h4; 2 epochs of cifar10_lt100_ldam_drw on the real CIFAR-10 in fp32 and in bf16.
# Cases whose data (../shared/data) is absent are skipped with a message.
#
# Spec keys that the base recorded and the working tree does not are listed, then left out of the
# comparison: since the training-layer refactor a resolved spec holds only the keys its experiment
# reads (a colored MNIST run no longer records gaussian.* and celeba.*). A key whose value differs,
# or one that only the working tree records, is a difference like any other.
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
shared="$(cd "$here/.." && pwd)/shared/data"
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
else
  echo "skip cifar10_lt100_ldam_drw: no CIFAR-10 at $shared/cifar10" >&2
fi

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

# Writes a copy of metrics.json A without the spec keys that B lacks; prints those keys.
drop_unrecorded_spec_keys() {
  local a="$1" b="$2" out="$3"
  local keep
  keep="$(jq -c '[.spec | paths(type != "object") | select(all(.[]; type == "string"))]' "$b")"
  jq --argjson keep "$keep" '
      [.spec | paths(type != "object") | select(all(.[]; type == "string"))] as $mine
      | ($mine - $keep) as $gone
      | .spec |= (delpaths($gone) | walk(if type == "object" then with_entries(select(.value != {})) else . end))
      | .dropped = ($gone | map(join(".")))' "$a" >"$out.with_dropped"
  jq -r '.dropped[]' "$out.with_dropped"
  jq 'del(.dropped)' "$out.with_dropped" >"$out"
  rm -f "$out.with_dropped"
}

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
  left="$new_runs/$name.base-metrics.json"
  dropped="$(drop_unrecorded_spec_keys "$base_runs/$name/metrics.json" "$new_runs/$name/metrics.json" "$left")"
  [[ -z "$dropped" ]] || echo "  spec keys no longer recorded (never read by this run): $(echo $dropped)" >&2
  if "$new_bin" diff "$left" "$new_runs/$name/metrics.json" --rtol "$rtol"; then
    echo "  same metrics" >&2
  else
    echo "  DIFFERENT: $base_runs/$name/metrics.json vs $new_runs/$name/metrics.json" >&2
    failed=$((failed + 1))
  fi
done
echo "check_regressions: $compared case(s) compared against $base ($commit), $failed differing or failing" >&2
[[ $failed -eq 0 ]]
