"""A fixed reference workload that `make bench` times in every round, to show how much the machine itself drifted.

It multiplies two 512×512 float32 matrices 200 times (numpy's BLAS, OpenBLAS with make bench's packages, one
thread per core: it notices a busy core as the frameworks do), after 20 untimed products, and prints one JSON
object: {"kind": "reference", "gflops": …, "seconds": …}.
The work never changes, so between rounds any change of its GFLOP/s is the machine (clock, other tenants of the VM),
not a framework. Run with Debian's python3 (python3-numpy comes with python3-torch); make bench sets
OPENBLAS_NUM_THREADS to the number of cores.
"""

import json
import sys
import time

import numpy as np

N, WARM, TIMED = 512, 20, 200


def main():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((N, N), dtype=np.float32)
    b = rng.standard_normal((N, N), dtype=np.float32)
    c = np.empty((N, N), dtype=np.float32)
    for _ in range(WARM):
        np.matmul(a, b, out=c)
    t0 = time.perf_counter()
    for _ in range(TIMED):
        np.matmul(a, b, out=c)
    seconds = time.perf_counter() - t0
    gflops = 2 * N ** 3 * TIMED / seconds / 1e9
    json.dump({"kind": "reference", "gflops": gflops, "seconds": seconds}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
