"""The reference autoencoder in PyTorch, timed as .ci/bench/gomlx times GoMLX (see common.py).

784-256-128-64-2 Tanh, decoder 2-64-128-256-784 Tanh then Sigmoid, nn.Linear's initial weights (as aelib.Linear),
Adam lr 1e-3 (β 0.9/0.999, ε 1e-8), per-pixel MSE. The training digits sit in one tensor and each step gathers its
batch by index (X[idx]), as aelib's loop gathers in the graph. Each thread count in --threads is measured; the
driver keeps the best. Run with Debian's python3 (python3-torch, with libopenblas0-pthread) and without
OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE, which slow OpenBLAS on this machine (make bench unsets them).
"""

import sys
import time

import numpy as np
import torch
from torch import nn

sys.dont_write_bytecode = True  # no __pycache__ in the repository
import common  # noqa: E402


def model():
    layers = []
    for sizes, last in ((common.SIZES_ENC, nn.Tanh), (common.SIZES_DEC, nn.Sigmoid)):
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers += [nn.Linear(a, b), last() if i == len(sizes) - 2 else nn.Tanh()]
    return nn.Sequential(*layers)


def train(X, batch, epochs, seed=1):
    """Trains a fresh model for epochs epochs; returns the seconds of each epoch and the last epoch's mean loss."""
    torch.manual_seed(seed)
    ae = model()
    opt = torch.optim.Adam(ae.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    gen = torch.Generator().manual_seed(seed)
    n = X.shape[0]
    seconds, mean = [], 0.0
    for _ in range(epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for b in range(0, n, batch):
            idx = perm[b:b + batch]
            x = X[idx]
            loss = ((ae(x) - x) ** 2).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        seconds.append(time.perf_counter() - t0)
        mean = total / n
    return ae, seconds, mean


@torch.no_grad()
def mse(ae, X):
    s = 0.0
    for b in range(0, X.shape[0], common.EVAL_BATCH):
        x = X[b:b + common.EVAL_BATCH]
        s += float(((ae(x) - x) ** 2).sum())
    return s / X.numel()


def main():
    a = common.parse_args(__doc__.splitlines()[0])
    train_x, test_x = common.load_mnist(a.mnist, a.images)
    X, T = torch.from_numpy(train_x), torch.from_numpy(test_x)
    blas = "OpenBLAS" if "openblas" in open("/proc/self/maps").read().lower() else "reference BLAS (no OpenBLAS loaded)"
    info = {"kind": "info", "framework": "pytorch", "version": torch.__version__, "numpy": np.__version__,
            "blas": blas, "python": common.python_version()}
    common.emit(a.json, info)
    common.say(f"PyTorch {torch.__version__}, {blas}, {common.python_version()}")
    for threads in a.threads:
        torch.set_num_threads(threads)
        backend = f"PyTorch {torch.__version__} CPU, {threads} thread{'s' if threads > 1 else ''}"
        common.measure(a, "pytorch", backend, lambda batch, epochs: train(X, batch, epochs), lambda ae: mse(ae, T),
                       X.shape[0], T.shape[0], note=f", {threads} thread(s)", threads=threads)


if __name__ == "__main__":
    main()
