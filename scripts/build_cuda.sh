#!/usr/bin/env bash
# Builds wei-run against a CUDA LibTorch on a machine that has PyTorch with CUDA but no Debian
# packages and no network (a GPU machine with PyTorch but without these packages). Two steps:
#
#   scripts/build_cuda.sh fetch            on this Debian 12 machine: downloads the .deb files of
#                                          the C++ dependencies (yaml-cpp, spdlog, fmt, nlohmann-json,
#                                          CLI11, Catch2, stb, zlib, xxHash) and of jq (the bench
#                                          scripts use it) into .cache/cuda-debs/
#   scripts/build_cuda.sh build [TARGET...]  on the GPU machine, with .cache/cuda-debs carried there:
#                                          unpacks them into .cache/cuda-prefix/, configures
#                                          build-cuda/ against python3's torch and builds TARGETs
#                                          (default: wei-run wei_tests)
#
# The Debian libraries use the C++11 string ABI, so the build refuses a torch built without it
# (torch._C._GLIBCXX_USE_CXX11_ABI). Environment: PYTHON (default python3), the interpreter
# whose torch to build against; WEI_CUDA_BUILD_DIR (default build-cuda).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
debs="$here/.cache/cuda-debs"
prefix="$here/.cache/cuda-prefix"
build_dir="${WEI_CUDA_BUILD_DIR:-$here/build-cuda}"
python="${PYTHON:-python3}"
# Headers and CMake packages, the shared libraries the -dev packages link to, and jq.
packages=(libyaml-cpp-dev libyaml-cpp0.7 libspdlog-dev libspdlog1.10 libfmt-dev libfmt9 nlohmann-json3-dev
          libcli11-dev catch2 libstb-dev zlib1g-dev zlib1g libxxhash-dev libxxhash0 jq libjq1 libonig5)

fetch() {
  mkdir -p "$debs"
  (cd "$debs" && apt-get download "${packages[@]}")
  du -sh "$debs"
}

build() {
  [[ -d "$debs" ]] && compgen -G "$debs/*.deb" > /dev/null ||
    { echo "no .deb files in $debs: run 'scripts/build_cuda.sh fetch' on a Debian machine and carry .cache/cuda-debs" >&2; exit 2; }
  rm -rf "$prefix"
  mkdir -p "$prefix"
  for deb in "$debs"/*.deb; do dpkg -x "$deb" "$prefix"; done

  local torch_prefix abi
  torch_prefix="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')"
  abi="$("$python" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')"
  echo "torch $("$python" -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda)') at $torch_prefix, C++11 ABI $abi"
  [[ "$abi" == 1 ]] || { echo "this torch uses the old C++ string ABI; the Debian libraries need the new one" >&2; exit 2; }

  # zlib1g-dev's libz.so is an absolute link into the system; point CMake at the unpacked copy.
  local zlib
  zlib="$(find "$prefix" -name 'libz.so.1.*' -type f | head -1)"
  # NCCL's header for c10d's NCCL backend (data-parallel on CUDA): pip's torch takes it from the
  # nvidia-nccl wheel; without it wei-run builds without NCCL and refuses world sizes above 1 on CUDA.
  local nccl_root
  nccl_root="$("$python" -c 'import os, nvidia.nccl as n; print(os.path.dirname(n.__file__) if n.__file__ else list(n.__path__)[0])' 2>/dev/null || true)"
  echo "NCCL headers: ${nccl_root:-not found}"
  cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$torch_prefix;$prefix/usr" ${nccl_root:+-DNCCL_ROOT="$nccl_root"} \
    -DZLIB_INCLUDE_DIR="$prefix/usr/include" -DZLIB_LIBRARY="$zlib" \
    -DCMAKE_CXX_FLAGS="-isystem $prefix/usr/include"
  if [[ $# -eq 0 ]]; then set -- wei-run wei_tests; fi
  cmake --build "$build_dir" --target "$@"
}

case "${1:-}" in
  fetch) fetch ;;
  build) shift; build "$@" ;;
  *) sed -n '2,16p' "$0"; exit 2 ;;
esac
