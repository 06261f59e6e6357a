# Shared by the reproduce_*.sh scripts, which keep one result directory per (config, seed) and can
# be rerun to fill in what is missing. Sourced; uses the caller's $wei_run and $dry_run (0 or 1).

# Exits 2 unless $wei_run is an executable (not needed for a dry run).
require_wei_run() {
  [[ $dry_run -eq 1 || -x "$wei_run" ]] || { echo "no wei-run binary at $wei_run (set WEI_RUN)" >&2; exit 2; }
}

# run_point DIR ARG...: `$wei_run run ARG... --out DIR --continue`, which keeps a finished result
# (ok or diverged), resumes an interrupted run and starts any other leftover over, as `wei-run sweep`
# does for its points. With dry_run=1 prints the command instead. A failed run is reported, not
# fatal.
run_point() {
  local dir="$1"
  shift
  local cmd=("$wei_run" run "$@" --out "$dir" --continue)
  if [[ $dry_run -eq 1 ]]; then
    echo "${cmd[*]}"
    return 0
  fi
  echo "== $dir" >&2
  "${cmd[@]}" || echo "!! $dir did not end ok (exit $?: 1 failed or diverged, 2 bad input, 130 interrupted)" >&2
}
