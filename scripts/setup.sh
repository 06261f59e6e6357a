#!/usr/bin/env bash
# Installs the Debian packages wei-run needs (only those missing) and configures + builds build/.
# Sourced by run.sh, test.sh and the bench scripts: `source scripts/setup.sh; wei_build TARGET...`.
set -euo pipefail

WEI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WEI_BUILD_DIR="${WEI_BUILD_DIR:-$WEI_ROOT/build}"

# Build toolchain and libraries. libopenblas0-openmp: without it LibTorch's matrix products go to
# Debian's reference BLAS (libblas3), 15x slower on a 2000x2000 product; it follows LibTorch's
# OpenMP thread count. libxxhash-dev: the checksum of every checkpoint. libstb-dev: stb_image
# decodes CelebA's JPEGs. libgloo-dev: the headers of torch c10d's Gloo backend (data-parallel
# training on CPU; libtorch exports the backend itself). python3-pil rebuilds the CIFAR-10 binary files from ../shared/data for the
# tests. The bench scripts install the Python
# references' own packages (python3-torch, python3-torchvision, python3-scipy) when they run.
WEI_PACKAGES=(g++ make cmake git pkg-config libtorch-dev libopenblas0-openmp libyaml-cpp-dev libspdlog-dev nlohmann-json3-dev
              catch2 libcli11-dev zlib1g-dev libxxhash-dev libstb-dev libgloo-dev python3 python3-pil python3-numpy gnuplot-nox jq)

wei_install_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing missing Debian packages: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

wei_build() {
  wei_install_packages "${WEI_PACKAGES[@]}"
  cmake -S "$WEI_ROOT" -B "$WEI_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$WEI_BUILD_DIR" -j"$(nproc)" --target "$@"
}
