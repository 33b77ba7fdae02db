"""Adds environment variables to GoNB's kernel.json (gonb --install writes an empty "env").

Usage: python kernel_env.py KERNEL_JSON NAME=VALUE...

Jupyter expands ${VAR} in a kernel's env from the server's environment, so
PATH=/repo/bin:/usr/local/go/bin:${PATH} puts goimports, gopls and go first.
"""
import json
import sys

path, pairs = sys.argv[1], sys.argv[2:]
with open(path) as f:
    spec = json.load(f)
env = spec.setdefault("env", {})
for pair in pairs:
    name, _, value = pair.partition("=")
    env[name] = value
with open(path, "w") as f:
    json.dump(spec, f, indent=2)
    f.write("\n")
