#!/usr/bin/env bash
# Runs the whole lecture at full size, as a teacher would before class (`make lecture`):
# every notebooks/NN_*.ipynb in order, each in a fresh GoNB kernel, headless (nbconvert).
# Writes docs/lecture/NN_*.ipynb (executed) and .html, and docs/results.json + docs/results.md
# from the claims the notebooks record (aelib.Record appends them to $AELIB_RESULTS).
# Fails if any notebook shows an error (`nbcheck run` executes and checks each notebook).
# Expects the venv's jupyter on PATH (the Makefile sets it).
set -euo pipefail
cd "$(dirname "$0")/.."

out=docs/lecture
cell_timeout=${AELIB_CELL_TIMEOUT:-1200}   # seconds per cell at full size
tmp=$(mktemp -d "${TMPDIR:-/tmp}/aelib-lecture.XXXXXX")
cleanup_ckpt=
trap 'rm -rf "$tmp"; [ -z "$cleanup_ckpt" ] || rm -rf "$cleanup_ckpt"' EXIT
results="$tmp/results.jsonl"
runlog="$tmp/runlog.tsv"
nbcheck="$tmp/nbcheck"
go build -o "$nbcheck" ./notebooks/nbcheck   # the runner and checker, built once for the run
mkdir -p "$out"
rm -f "$out"/*.ipynb "$out"/*.html "$out"/*.log   # a lecture run rewrites all of it
unset AELIB_QUICK   # full settings
export AELIB_RESULTS="$results"
# Train from scratch in a fresh checkpoint directory (set AELIB_CHECKPOINTS to reuse one).
if [ -z "${AELIB_CHECKPOINTS:-}" ]; then
  AELIB_CHECKPOINTS=$(mktemp -d "${TMPDIR:-/tmp}/aelib-checkpoints.XXXXXX")
  cleanup_ckpt=$AELIB_CHECKPOINTS
fi
export AELIB_CHECKPOINTS

shopt -s nullglob
notebooks=(notebooks/[0-9][0-9]_*.ipynb)
if [ ${#notebooks[@]} -eq 0 ]; then
  echo "no notebooks/NN_*.ipynb to run" >&2
  exit 1
fi

failed=0
start_all=$(date +%s)
# One fresh kernel per notebook, headless; prints a line per notebook and keeps the log of a failed one.
"$nbcheck" run -out "$out" -cell-timeout "$cell_timeout" -html -runlog "$runlog" "${notebooks[@]}" || failed=1
total=$(( $(date +%s) - start_all ))

"$nbcheck" results "$results" "$runlog" "$total" docs/results.json docs/results.md
# Keep the models this run trained, so the notebooks in class load them instead of training again.
if [ -n "$cleanup_ckpt" ] && [ $failed -eq 0 ]; then
  mkdir -p .checkpoints && cp -r "$AELIB_CHECKPOINTS"/. .checkpoints/
  echo "lecture: trained models kept in .checkpoints/"
fi
echo "lecture: $total s in all; docs/lecture/, docs/results.json, docs/results.md"
exit $failed
