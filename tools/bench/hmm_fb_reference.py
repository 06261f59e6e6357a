#!/usr/bin/python3
"""Straightforward numpy/scipy log-space forward-backward: the reference that
scripts/bench_hmm.sh times against wei-run's C++ one on the same sequences.

Usage: hmm_fb_reference.py DIR H...   (reads DIR/h<H>.txt written by the hidden wei_tests case [.hmm_prompt_bench])
Prints "ref H tokens cpu-seconds tok/cpu-s loglik" per H (process CPU time,
which another job on a shared machine cannot inflate).
"""
import sys
import time

import numpy as np
from scipy.special import logsumexp


def forward_backward(log_start, log_trans, log_emit, x):
    """Log-likelihood, filtered and smoothed posteriors of one sequence."""
    t_len, h = len(x), len(log_start)
    alpha = np.empty((t_len, h))
    beta = np.zeros((t_len, h))
    alpha[0] = log_start + log_emit[:, x[0]]
    for t in range(1, t_len):
        alpha[t] = logsumexp(alpha[t - 1][:, None] + log_trans, axis=0) + log_emit[:, x[t]]
    for t in range(t_len - 2, -1, -1):
        beta[t] = logsumexp(log_trans + (log_emit[:, x[t + 1]] + beta[t + 1])[None, :], axis=1)
    loglik = logsumexp(alpha[-1])
    filtered = np.exp(alpha - logsumexp(alpha, axis=1, keepdims=True))
    smoothed = np.exp(alpha + beta - logsumexp(alpha + beta, axis=1, keepdims=True))
    return loglik, filtered, smoothed


def main():
    directory = sys.argv[1]
    for h_arg in sys.argv[2:]:
        with open(f"{directory}/h{h_arg}.txt") as f:
            h, v, count, length = map(int, f.readline().split())
            start = np.array(f.readline().split(), dtype=float)
            trans = np.array(f.readline().split(), dtype=float).reshape(h, h)
            emit = np.array(f.readline().split(), dtype=float).reshape(h, v)
            tokens = np.array(f.readline().split(), dtype=np.int64).reshape(count, length)
        with np.errstate(divide="ignore"):  # exact zeros in the transitions -> -inf
            log_start, log_trans, log_emit = np.log(start), np.log(trans), np.log(emit)
        began = time.process_time()
        loglik = sum(forward_backward(log_start, log_trans, log_emit, seq)[0] for seq in tokens)
        seconds = time.process_time() - began
        print(f"ref {h} {count * length} {seconds:.6f} {count * length / seconds:.1f} {loglik:.10f}")


if __name__ == "__main__":
    main()
