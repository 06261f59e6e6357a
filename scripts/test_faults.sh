#!/usr/bin/env bash
# The fault-injection suite (tests/faults/): disk full (injected ENOSPC and, as root, a small tmpfs),
# kill -9 inside every write of a run and at random moments, corrupt checkpoints, two commands on one
# directory, Ctrl-C and kill -9 of a sweep coordinator, an out-of-memory worker under a memory cgroup
# (as root). scripts/test.sh runs these with every other test; this runs them alone, with timings.
# Usage: scripts/test_faults.sh [Catch2 arguments, e.g. a test name]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
wei_build wei-run wei_tests
filter="[faults]"
[[ $# -gt 0 ]] && filter="$1" && shift
start=$(date +%s)
"$WEI_BUILD_DIR/wei_tests" "$filter" --durations yes "$@"
echo "fault suite: $(( $(date +%s) - start )) s" >&2
