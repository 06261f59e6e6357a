# Shared by the reproduce_*.sh scripts, which keep one result directory per (config, seed) and can
# be rerun to fill in what is missing. Sourced; uses the caller's $wei_run and $dry_run (0 or 1).

# Exits 2 unless $wei_run is an executable (not needed for a dry run).
require_wei_run() {
  [[ $dry_run -eq 1 || -x "$wei_run" ]] || { echo "no wei-run binary at $wei_run (set WEI_RUN)" >&2; exit 2; }
}

# run_point DIR ARG...: runs `$wei_run run ARG... --out DIR` unless DIR already holds a result with
# status "ok"; a run that was interrupted or killed (a checkpoint, no final status) is continued with
# --resume, as `wei-run sweep` does. With dry_run=1 prints the command instead. A failed run is
# reported, not fatal.
run_point() {
  local dir="$1"
  shift
  local status=""
  [[ -f "$dir/metrics.json" ]] && status="$(jq -r .status "$dir/metrics.json")"
  [[ "$status" == ok ]] && return 0
  local cmd=("$wei_run" run "$@" --out "$dir")
  if [[ -f "$dir/checkpoints/last.pt" && ( -z "$status" || "$status" == interrupted ) ]]; then cmd+=(--resume); fi
  if [[ $dry_run -eq 1 ]]; then
    echo "${cmd[*]}"
    return 0
  fi
  echo "== $dir" >&2
  "${cmd[@]}" || echo "!! $dir failed (exit $?)" >&2
}
