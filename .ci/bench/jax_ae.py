"""The reference autoencoder in JAX, timed as .ci/bench/gomlx times GoMLX (see common.py).

784-256-128-64-2 Tanh, decoder 2-64-128-256-784 Tanh then Sigmoid, nn.Linear's initial weights (as aelib.Linear),
Adam lr 1e-3 (β 0.9/0.999, ε 1e-8, written out: no optax), per-pixel MSE. As in aelib, the training digits go to
the device once and the jitted step takes the batch's indices and gathers the batch in the graph; weights and
Adam's state are donated to the step. Each repeat builds a new jitted step, so its first epoch compiles again, as
a new GoMLX Exec does. Run with .venv-bench's python (make bench installs JAX there from PyPI).
"""

import sys
import time

import numpy as np

import jax
import jax.numpy as jnp
import jaxlib

sys.dont_write_bytecode = True  # no __pycache__ in the repository
import common  # noqa: E402

B1, B2, EPS, LR = 0.9, 0.999, 1e-8, 1e-3


def forward(params, x):
    enc, dec = params
    for w, b in enc:
        x = jnp.tanh(x @ w + b)
    for i, (w, b) in enumerate(dec):
        x = x @ w + b
        x = jax.nn.sigmoid(x) if i == len(dec) - 1 else jnp.tanh(x)
    return x


def loss_fn(params, x):
    return jnp.mean(jnp.square(forward(params, x) - x))


def make_step():
    """A new jitted training step: gathers the batch, computes the loss and its gradient, applies Adam."""
    def step(params, m, v, t, X, idx):
        x = jnp.take(X, idx, axis=0)
        loss, g = jax.value_and_grad(loss_fn)(params, x)
        t = t + 1
        m = jax.tree.map(lambda m, g: B1 * m + (1 - B1) * g, m, g)
        v = jax.tree.map(lambda v, g: B2 * v + (1 - B2) * g * g, v, g)
        c1 = 1 - B1 ** t.astype(jnp.float32)
        c2 = 1 - B2 ** t.astype(jnp.float32)
        params = jax.tree.map(lambda p, m, v: p - LR * (m / c1) / (jnp.sqrt(v / c2) + EPS), params, m, v)
        return params, m, v, t, loss
    return jax.jit(step, donate_argnums=(0, 1, 2, 3))


def init(seed):
    rng = np.random.default_rng(seed)
    params = (common.torch_like_init(rng, common.SIZES_ENC), common.torch_like_init(rng, common.SIZES_DEC))
    return jax.tree.map(jnp.asarray, params)


def train(X, n, batch, epochs, seed=1):
    """Trains a fresh model for epochs epochs; returns it, the seconds of each epoch and the last epoch's mean loss."""
    step = make_step()
    params = init(seed)
    m = jax.tree.map(jnp.zeros_like, params)
    v = jax.tree.map(jnp.zeros_like, params)
    t = jnp.zeros((), jnp.int32)
    rng = np.random.default_rng(seed)
    seconds, mean = [], 0.0
    for _ in range(epochs):
        t0 = time.perf_counter()
        perm = rng.permutation(n).astype(np.int32)
        total = 0.0
        for b in range(0, n, batch):
            idx = perm[b:b + batch]
            params, m, v, t, loss = step(params, m, v, t, X, idx)
            total += float(loss) * len(idx)
        seconds.append(time.perf_counter() - t0)
        mean = total / n
    return params, seconds, mean


@jax.jit
def sse(params, x):
    return jnp.sum(jnp.square(forward(params, x) - x))


def mse(params, T):
    """The per-pixel MSE of the host images T, sent in batches as aelib's runBatches sends them."""
    s = 0.0
    for b in range(0, T.shape[0], common.EVAL_BATCH):
        s += float(sse(params, T[b:b + common.EVAL_BATCH]))
    return s / T.size


def main():
    a = common.parse_args(__doc__.splitlines()[0])
    train_x, test_x = common.load_mnist(a.mnist, a.images)
    X, T = jax.device_put(train_x), test_x
    n = train_x.shape[0]
    backend = f"JAX {jax.__version__} (jaxlib {jaxlib.__version__}) on {jax.devices()[0].platform.upper()}"
    common.emit(a.json, {"kind": "info", "framework": "jax", "version": jax.__version__, "jaxlib": jaxlib.__version__,
                         "numpy": np.__version__, "python": common.python_version()})
    common.say(f"{backend}, {common.python_version()}")
    common.measure(a, "jax", backend, lambda batch, epochs: train(X, n, batch, epochs), lambda params: mse(params, T),
                   n, T.shape[0])


if __name__ == "__main__":
    main()
