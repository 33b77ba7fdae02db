"""Tests of bench.py's bookkeeping: the rotation of the rounds, ratios taken within a round, the report's rows.

Run by `make test` (python -m unittest, standard library only); they measure nothing.
"""

import os
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def train(fw, batch, rate, rnd, **extra):
    return {"kind": "train", "framework": fw, "batch": batch, "images_per_s": rate, "runs": [rate], "round": rnd,
            "compile_s": 0.5, "loss": 0.05, "backend": fw, **extra}


class TestRounds(unittest.TestCase):
    def test_rotated(self):
        xs = ["ref", "gomlx", "torch", "jax"]
        self.assertEqual(bench.rotated(xs, 0), xs)
        self.assertEqual(bench.rotated(xs, 1), ["gomlx", "torch", "jax", "ref"])
        self.assertEqual(bench.rotated(xs, 5), bench.rotated(xs, 1))
        # Over len(xs) rounds every contestant runs once in every position.
        for i in range(len(xs)):
            self.assertEqual({bench.rotated(xs, r)[i] for r in range(len(xs))}, set(xs))

    def test_ratios_within_round(self):
        # The machine halves its speed in round 2: each ratio within a round is still 2, although the medians
        # over rounds (40 and 15) would give 2.67.
        recs = [train("gomlx-xla", 64, 40, 1), train("jax", 64, 20, 1),
                train("gomlx-xla", 64, 20, 2), train("jax", 64, 10, 2),
                train("gomlx-xla", 64, 60, 3), train("jax", 64, 30, 3)]
        r = bench.ratios_of(recs, "gomlx-xla", ["jax"])["64"]["jax"]
        self.assertEqual(r["ratios"], [2.0, 2.0, 2.0])
        self.assertEqual((r["median"], r["min"], r["max"]), (2.0, 2.0, 2.0))
        self.assertEqual(r["rounds"], [1, 2, 3])

    def test_ratios_skip_unpaired_rounds(self):
        recs = [train("gomlx-xla", 64, 40, 1), train("pytorch", 64, 20, 1), train("gomlx-xla", 64, 30, 2)]
        r = bench.ratios_of(recs, "gomlx-xla", ["pytorch"])["64"]["pytorch"]
        self.assertEqual(r["rounds"], [1])

    def test_pytorch_best_thread_per_round(self):
        recs = [train("gomlx-xla", 64, 30, 1), train("pytorch", 64, 10, 1, threads=1),
                train("pytorch", 64, 15, 1, threads=2)]
        self.assertEqual(bench.ratios_of(recs, "gomlx-xla", ["pytorch"])["64"]["pytorch"]["ratios"], [2.0])
        row = next(r for r in bench.rows_of(recs) if r["framework"] == "pytorch")
        self.assertEqual(row["threads"], [2])
        self.assertEqual(row["images_per_s_by_threads"], {"1": 10, "2": 15})

    def test_rows_median_and_range(self):
        recs = [train("gomlx-xla", 256, x, k) for k, x in enumerate([50, 70, 60], start=1)]
        recs.append({"kind": "train", "framework": "gomlx-go", "batch": 256, "images_per_s": 3, "runs": [2, 3, 4],
                     "compile_s": 0.1, "loss": 0.06, "backend": "go"})  # outside the rounds: its repeats
        rows = {r["framework"]: r for r in bench.rows_of(recs)}
        self.assertEqual((rows["gomlx-xla"]["images_per_s"], rows["gomlx-xla"]["min"], rows["gomlx-xla"]["max"]),
                         (60, 50, 70))
        self.assertEqual(rows["gomlx-xla"]["rounds"], [1, 2, 3])
        self.assertEqual((rows["gomlx-go"]["images_per_s"], rows["gomlx-go"]["runs"]), (3, [2, 3, 4]))

    def test_drift(self):
        recs = [{"kind": "reference", "gflops": g, "round": k} for k, g in enumerate([100, 80, 90], start=1)]
        recs += [train("gomlx-xla", 64, x, k) for k, x in enumerate([40, 30, 50], start=1)]
        d = bench.drift_of(recs, [])
        self.assertEqual(d["reference_gflops"]["rounds"], [100, 80, 90])
        self.assertAlmostEqual(d["reference_gflops"]["range_pct"], 100 * 20 / 90, places=1)
        self.assertEqual(d["gomlx-xla_64"]["range_pct"], 50.0)


if __name__ == "__main__":
    unittest.main()
