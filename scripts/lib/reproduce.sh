# Shared by the reproduce_*.sh scripts, which keep one result directory per (config, seed) and can
# be rerun to fill in what is missing. Sourced; uses the caller's $wei_run and $dry_run (0 or 1).

# Exits 2 unless $wei_run is an executable (not needed for a dry run).
require_wei_run() {
  [[ $dry_run -eq 1 || -x "$wei_run" ]] || { echo "no wei-run binary at $wei_run (set WEI_RUN)" >&2; exit 2; }
}

# run_point DIR ARG...: runs `$wei_run run ARG... --out DIR` and decides from what an earlier attempt
# left in DIR exactly as `wei-run sweep` does (next_action in src/sweep/sweep_runner.cpp; keep the two
# in step): status "ok" or "diverged" is a result and is kept; a checkpoint without a final status,
# or "interrupted", is continued with --resume; any other leftover (failed, or killed before its
# first checkpoint) is run again with --force. With dry_run=1 prints the command instead. A failed
# run is reported, not fatal.
run_point() {
  local dir="$1"
  shift
  local status=""
  [[ -f "$dir/metrics.json" ]] && status="$(jq -r .status "$dir/metrics.json")"
  [[ "$status" == ok || "$status" == diverged ]] && return 0
  local cmd=("$wei_run" run "$@" --out "$dir")
  if [[ -f "$dir/checkpoints/last.pt" && ( -z "$status" || "$status" == interrupted ) ]]; then
    cmd+=(--resume)
  elif [[ -e "$dir/config.yaml" || -e "$dir/metrics.json" || -e "$dir/history.jsonl" ]]; then
    cmd+=(--force)
  fi
  if [[ $dry_run -eq 1 ]]; then
    echo "${cmd[*]}"
    return 0
  fi
  echo "== $dir" >&2
  "${cmd[@]}" || echo "!! $dir failed (exit $?)" >&2
}
