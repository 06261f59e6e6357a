# Shared by the CIFAR bench_*.sh scripts. Sourced; uses the caller's $here (the checkout).

# The real CIFAR-10 the tests build in .cache/cifar10 when it is there, else "" (the synthetic stand-in).
bench_cifar10_root() {
  if [[ -f "$here/.cache/cifar10/cifar-10-batches-bin/test_batch.bin" ]]; then echo "$here/.cache/cifar10"; fi
}

# bench_python_reference DATA: installs Debian's python3-torch (and what the references import);
# exits 2 without real data, which the Python references need.
bench_python_reference() {
  # shellcheck source=scripts/setup.sh
  source "$here/scripts/setup.sh"
  wei_install_packages python3-torch python3-torchvision python3-pil python3-numpy
  [[ -n "$1" ]] || {
    echo "the Python reference needs real CIFAR-10 (--data DIR, or run the tests once to build .cache/cifar10); or --no-reference" >&2
    exit 2
  }
}
