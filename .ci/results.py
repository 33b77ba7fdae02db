"""Helpers of .ci/lecture.sh (standard library only; run with the venv's python).

  results.py check NOTEBOOK      print what went wrong in an executed notebook; exit 1 if anything did
  results.py backend NOTEBOOK    print the backend the notebook ran on ("go", "xla", or "?")
  results.py assemble CLAIMS_JSONL RUNLOG_TSV TOTAL_SECONDS OUT_JSON OUT_MD
                                 write docs/results.json and docs/results.md from the claims
                                 aelib.Record appended to $AELIB_RESULTS

The checks match notebooks/helpers_test.go: error outputs, GoNB's HTML error report, a Go panic on
stderr, and a cell marked `// figure` that shows no image.
"""
import datetime
import html as htmllib
import json
import os
import re
import sys


def text(v):
    return "".join(v) if isinstance(v, list) else (v or "")


def code_cells(path):
    with open(path) as f:
        nb = json.load(f)
    return [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]


def stream(cell, name):
    return "".join(text(o.get("text")) for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == name)


def problems(path):
    out = []
    for i, cell in enumerate(code_cells(path), 1):
        src = text(cell.get("source"))
        where = f"code cell {i} ({src.strip().splitlines()[0][:60] if src.strip() else ''!r})"
        figure = False
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            html = text(data.get("text/html"))
            if o.get("output_type") == "error":
                out.append(f"{where}: error {o.get('ename')}: {o.get('evalue')}")
            elif 'class="gonb-err-' in html or 'data-mime-type="application/vnd.jupyter.stderr"' in html:
                plain = " ".join(htmllib.unescape(re.sub(r"(?s)<style.*?</style>|<[^>]*>", " ", html)).split())
                out.append(f"{where}: GoNB error report: {plain[:300]}")
            if "image/png" in data or "image/svg+xml" in data or "<img" in html or "<svg" in html:
                figure = True
        m = re.search(r"(?m)^(panic: |fatal error: )", stream(cell, "stderr"))
        if m:
            out.append(f"{where}: {stream(cell, 'stderr')[m.start():][:400]}")
        if "// figure" in src and not figure:
            out.append(f"{where}: marked `// figure` but shows no image")
    return out


def backend(path):
    for cell in code_cells(path):
        for line in (stream(cell, "stdout") + "\n" + stream(cell, "stderr")).splitlines():
            line = line.strip()
            if line.startswith("Backend:"):
                words = line[len("Backend:"):].split()
                return words[0] if words else "?"
    return "?"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def gomlx_version():
    try:
        with open("go.mod") as f:
            m = re.search(r"github\.com/gomlx/gomlx\s+(v\S+)", f.read())
            return m.group(1) if m else "unknown"
    except OSError:
        return "unknown"


def assemble(claims_path, runlog_path, total, out_json, out_md):
    claims = []
    if os.path.exists(claims_path):
        with open(claims_path) as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        claims.append(json.loads(line))
                    except json.JSONDecodeError as e:
                        sys.exit(f"{claims_path} line {n}: {e}")
    notebooks = []
    with open(runlog_path) as f:
        for line in f:
            name, be, secs = line.rstrip("\n").split("\t")
            notebooks.append({"notebook": name, "backend": be, "seconds": int(secs)})
    backends = sorted({c.get("backend") for c in claims if c.get("backend")} |
                      {n["backend"] for n in notebooks if n["backend"] != "?"})
    run = {
        "backend": ", ".join(backends) if backends else "unknown",
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "gomlx": gomlx_version(),
        "total_seconds": int(total),
        "date": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        "notebooks": notebooks,
    }
    with open(out_json, "w") as f:
        json.dump({"run": run, "claims": claims}, f, indent=2)
        f.write("\n")

    def cell(s):
        return str(s).replace("|", "\\|").replace("\n", " ")

    def fmt(v):
        return f"{v:.4g}" if isinstance(v, float) else str(v)

    lines = [
        "# Results of the full lecture run",
        "",
        "Written by `make lecture` (.ci/lecture.sh); the same data is in results.json.",
        "",
        f"- date: {run['date']}",
        f"- backend: {run['backend']}",
        f"- CPU: {run['cpu']}, {run['cores']} cores",
        f"- GoMLX: {run['gomlx']}",
        f"- total: {run['total_seconds']} s",
        "",
        "| notebook | backend | seconds |",
        "| --- | --- | ---: |",
    ]
    lines += [f"| {n['notebook']} | {n['backend']} | {n['seconds']} |" for n in notebooks]
    lines += ["", "| notebook | id | claim | measured | holds |", "| --- | --- | --- | --- | --- |"]
    for c in claims:
        measured = ", ".join(f"{k}={fmt(v)}" for k, v in sorted((c.get("measured") or {}).items()))
        holds = "yes" if c.get("holds") else "**no**"
        lines.append(f"| {cell(c.get('notebook', ''))} | {cell(c.get('id', ''))} | {cell(c.get('claim', ''))} "
                     f"| {cell(measured)} | {holds} |")
    if not claims:
        lines.append("| | | (no claims recorded) | | |")
    with open(out_md, "w") as f:
        f.write("\n".join(lines) + "\n")


def main(argv):
    if len(argv) >= 2 and argv[0] == "check":
        found = problems(argv[1])
        for p in found:
            print(p)
        return 1 if found else 0
    if len(argv) >= 2 and argv[0] == "backend":
        print(backend(argv[1]))
        return 0
    if len(argv) == 6 and argv[0] == "assemble":
        assemble(*argv[1:])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
