#!/usr/bin/env bash
# Installs what is missing, builds wei-run and the test suite (Release, build/), runs every test via ctest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# The Slurm launcher's round-trip test starts a single-node Slurm (scripts/slurm_local.sh).
wei_install_packages slurmctld slurmd slurm-client munge
wei_build wei-run wei_tests
cd "$WEI_BUILD_DIR"
ctest --output-on-failure -j"$(nproc)" "$@"
