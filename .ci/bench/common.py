"""What the peer benchmarks (torch_ae.py, jax_ae.py) share: the command line, MNIST, statistics, output.

They measure the reference autoencoder as .ci/bench/gomlx measures it on GoMLX: for each batch size and repeat, a fresh model
trained for 1 + EPOCHS epochs on the first IMAGES training digits (shuffled each epoch, the last smaller batch
kept, the loss read back after every step as aelib does); the last EPOCHS epochs give the warm images/s, the first
one its overhead (compilation, first calls). Then the MSE of the 10,000 test digits in batches of 1,000 (aelib's
inference batch): the first call and the median of warm calls. Each measurement is one JSON object per line in
--json. Needs numpy only (Debian's python3-numpy comes with python3-torch; the JAX venv has its own).
"""

import argparse
import gzip
import json
import os
import platform
import statistics
import struct
import sys
import time

import numpy as np

PIXELS = 28 * 28
SIZES_ENC = [784, 256, 128, 64, 2]
SIZES_DEC = [2, 64, 128, 256, 784]
EVAL_BATCH = 1000  # aelib's inferenceBatch
EVAL_CALLS = 5     # warm MSE calls timed after the first


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--mnist", required=True, help="directory with the four MNIST .gz files (GoMNIST's data/)")
    p.add_argument("--json", required=True, help="file to append one JSON object per measurement to")
    p.add_argument("--images", type=int, default=20000, help="training digits (default 20000)")
    p.add_argument("--epochs", type=int, default=2, help="warm epochs timed per repeat (default 2)")
    p.add_argument("--repeats", type=int, default=5, help="repeats per batch size (default 5)")
    p.add_argument("--batches", default="64,256", help="comma-separated batch sizes (default 64,256)")
    p.add_argument("--threads", default="1,2", help="PyTorch only: thread counts to try (default 1,2)")
    a = p.parse_args()
    a.batches = [int(b) for b in a.batches.split(",")]
    a.threads = [int(t) for t in a.threads.split(",")]
    if a.images < 1 or a.epochs < 1 or a.repeats < 1 or min(a.batches) < 1 or max(a.batches) > a.images:
        p.error("sizes must be ≥ 1 and batches ≤ images")
    return a


def read_idx(path):
    """The payload of a gzip-compressed IDX file of unsigned bytes, shaped by its header."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, kind, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or kind != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_mnist(directory, n_train):
    """The first n_train training images and the 10,000 test images, float32 [N, 784] in [0, 1]."""
    def images(name):
        x = read_idx(os.path.join(directory, name))
        return (x.reshape(x.shape[0], PIXELS).astype(np.float32) / np.float32(255))
    train = images("train-images-idx3-ubyte.gz")[:n_train]
    test = images("t10k-images-idx3-ubyte.gz")
    return np.ascontiguousarray(train), np.ascontiguousarray(test)


def torch_like_init(rng, sizes):
    """Weights [in, out] and biases [out] of a stack of linear layers, uniform in ±1/√fan_in (nn.Linear's)."""
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        w = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32)
        b = rng.uniform(-bound, bound, (fan_out,)).astype(np.float32)
        layers.append((w, b))
    return layers


def median(xs):
    return statistics.median(xs) if xs else 0.0


def train_record(framework, backend, batch, images, epochs, rates, overheads, losses, **extra):
    r = {"kind": "train", "framework": framework, "backend": backend, "batch": batch, "images": images,
         "epochs": epochs, "images_per_s": median(rates), "spread": max(rates) - min(rates), "runs": rates,
         "compile_s": median(overheads), "loss": median(losses)}
    r.update(extra)
    return r


def rate_and_overhead(epoch_seconds, images):
    """From the times of 1 + E epochs: warm images/s of the last E, and the first epoch's extra seconds."""
    warm = sum(epoch_seconds[1:])
    e = len(epoch_seconds) - 1
    return e * images / warm, epoch_seconds[0] - warm / e


def measure(a, framework, backend, train, mse, images, tests, note="", **extra):
    """Times the training for each batch size of a (a.repeats fresh models each, 1 + a.epochs epochs), then the MSE
    of the test digits on the last model: the first call and the median of EVAL_CALLS warm ones. train(batch, epochs)
    returns a trained model, the seconds of each epoch and the last epoch's loss; mse(model) runs the evaluation.
    Each measurement goes to a.json as a record (extra, e.g. threads=2, added to it) and is printed as a line (note,
    e.g. ", 2 thread(s)", after the batch size or the digits)."""
    last = None
    for batch in a.batches:
        rates, overheads, losses = [], [], []
        for _ in range(a.repeats):
            last, seconds, loss = train(batch, 1 + a.epochs)
            rate, overhead = rate_and_overhead(seconds, images)
            rates.append(rate)
            overheads.append(overhead)
            losses.append(loss)
        r = train_record(framework, backend, batch, images, a.epochs, rates, overheads, losses, **extra)
        emit(a.json, r)
        say(f"train {framework:9s} batch {batch:3d}{note}: {r['images_per_s']:6.0f} images/s warm "
            f"(median of {a.repeats}, range {min(rates):.0f}–{max(rates):.0f}), "
            f"first-epoch overhead {r['compile_s']:.2f}s, loss {r['loss']:.4f}")
    t0 = time.perf_counter()
    mse(last)
    first = time.perf_counter() - t0
    warm = []
    for _ in range(EVAL_CALLS):
        t0 = time.perf_counter()
        mse(last)
        warm.append(time.perf_counter() - t0)
    emit(a.json, {"kind": "eval", "framework": framework, "backend": backend, **extra, "images": tests,
                  "eval_first_s": first, "eval_s": median(warm)})
    say(f"eval  {framework:9s} {tests} test digits{note}: first call {first:.3f}s, warm {median(warm):.3f}s")


def emit(path, record):
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")


def say(line):
    print(line, flush=True)


def python_version():
    return f"Python {platform.python_version()} ({sys.executable})"
