#!/usr/bin/env bash
# Installs what is missing, builds wei-run and the test suite (Release, build/), runs every test via ctest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# The Slurm launcher's round-trip test starts a single-node Slurm (scripts/slurm_local.sh).
wei_install_packages slurmctld slurmd slurm-client munge
# The report's end-to-end test opens the page in headless Chromium; where the package cannot be
# installed that test skips, saying so, and the rest runs.
wei_install_packages chromium || echo "setup: chromium could not be installed; the report's browser test will skip" >&2
wei_build wei-run wei_tests
cd "$WEI_BUILD_DIR"
ctest --output-on-failure -j"$(nproc)" "$@"
