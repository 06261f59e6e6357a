#!/usr/bin/env bash
# Usage: scripts/run.sh SPEC [key=value ...] [--out DIR] [--device D] [--resume] [--force]
# Installs what is missing, builds wei-run (Release, build/), then runs `wei-run run` with the arguments.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
wei_build wei-run
cd "$WEI_ROOT"
exec "$WEI_BUILD_DIR/wei-run" run "$@"
