#!/usr/bin/env bash
# The same sweep with `wei-run sweep`: validated up front, parallel workers, skip/resume on rerun,
# then a summary table, learning curves (log scale) and the one-page HTML report.
#   scripts/sweep_example.sh [ROOT] [JOBS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="${1:-results/sweep-example}"
jobs="${2:-2}"
source scripts/setup.sh
wei_install_packages gnuplot-nox
[ -x build/wei-run ] || wei_build wei-run
build/wei-run sweep configs/label_noise/label_noise.yaml method=gd,label_noise seed='range(0,3)' \
  --out "$root" --jobs "$jobs" || true   # exit 1 only says some point did not end ok
build/wei-run summarize "$root" --by spec.method --metrics final.test_error,final.off_support_mass
build/wei-run plot "$root" --y test_error --by spec.method --logy --out "$root/test_error_curves"
build/wei-run report "$root" --out "$root/report.html"
