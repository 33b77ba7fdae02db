# Autoencoders in Go — set-up and checks.
#
#   make lab       set up once, then start JupyterLab on notebooks/ (PORT=8888, ARGS="..." passed through)
#   make test      set up, then go vet + go test ./... (runs every notebook headless and in a browser)
#   make lecture   run every notebook at full size into docs/lecture/, results into docs/results.{json,md}
#   make setup     what lab, test and lecture share: Go tools in bin/, Python venv in .venv/, GoNB kernel, lab settings, XLA
#   make xla       install the XLA CPU plugin from PyPI into .xla/ (part of setup on Linux x86-64; NO_XLA=1 skips it)
#   make bench     speed (interleaved rounds: GoMLX + XLA, PyTorch, JAX) and memory -> docs/performance.{md,json}
#   make screenshots  run 00 and 02 in JupyterLab + chromium at full size (after make lecture) into docs/images/
#   make clean     remove bin/, .venv/, .venv-bench/, .ci/browser/node_modules and test leftovers
#
# Everything is installed inside the repository: nothing goes to ~/.local or the system, except
# Debian's chromium and fonts (apt-get), which only `make test` needs.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
PORT   ?= 8888
ARGS   ?=

VENV        := $(CURDIR)/.venv
JUPYTER     := $(VENV)/bin/jupyter
VENV_STAMP  := $(VENV)/.installed
KERNEL_DIR  := $(VENV)/share/jupyter/kernels/gonb
KERNEL_JSON := $(KERNEL_DIR)/kernel.json
# JupyterLab's defaults for this project (read from <sys.prefix>/share/jupyter/lab/settings/), and the
# Jupyter server's (<sys.prefix>/etc/jupyter/jupyter_server_config.json).
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
SERVER_CONFIG := $(VENV)/etc/jupyter/jupyter_server_config.json
TOOLS       := bin/gonb bin/goimports bin/gopls
GO_BIN_DIR  := $(shell dirname "$$(command -v go)" 2>/dev/null)
CHROMIUM    := /usr/bin/chromium
# Debian packages for the browser test: chromium, and fonts for the Latin and Chinese text of the notebooks.
BROWSER_PKGS := chromium fonts-liberation fonts-noto-cjk
NODE_STAMP  := .ci/browser/node_modules/.package-lock.json
SUDO        := $(if $(filter 0,$(shell id -u)),,sudo)
ALLOW_ROOT  := $(if $(filter 0,$(shell id -u)),--allow-root)

# Environment for anything that runs notebooks: the venv's Jupyter (with its GoNB kernel) first on PATH.
NB_ENV := PATH="$(VENV)/bin:$(CURDIR)/bin:$$PATH" \
          AELIB_JUPYTER="$(JUPYTER)" \
          AELIB_BROWSER_RUNNER="$(CURDIR)/.ci/browser/run.mjs" \
          AELIB_CHROMIUM="$(CHROMIUM)"

.PHONY: help setup tools venv kernel lab-settings xla browser browser-fonts lab test lecture bench bench-torch screenshots clean

help:
	@sed -n '3,10s/^# *//p' Makefile

# ---- setup: Go tools, Python venv, GoNB kernel -------------------------------------------------

# XLA's CPU plugin: GoMLX downloads it from GitHub on first use; where that is unreachable, this installs the
# same kind of plugin from PyPI (pinned by hash) and links it where aelib.Backend looks first.
XLA_SO  := .xla/pjrt_c_api_cpu_plugin.so
XLA_OK  := $(and $(filter Linux,$(shell uname -s)),$(filter x86_64,$(shell uname -m)),$(if $(NO_XLA),,yes))

setup: tools venv kernel lab-settings $(if $(XLA_OK),xla)
	@:

tools: $(TOOLS)
venv: $(VENV_STAMP)
kernel: $(KERNEL_JSON)
lab-settings: $(LAB_OVERRIDES) $(SERVER_CONFIG)

$(TOOLS) &: go.mod go.sum
	@echo "==> tools: go install tool -> bin/gonb bin/goimports bin/gopls (versions from go.mod)"
	@GOBIN="$(CURDIR)/bin" go install tool
	@touch $(TOOLS)

$(VENV_STAMP): .ci/requirements.txt
	@echo "==> venv: $(PYTHON) -m venv .venv; pip install -r .ci/requirements.txt"
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10+ needed, found " + sys.version)'
	@test -x "$(VENV)/bin/python" || $(PYTHON) -m venv "$(VENV)"
	@"$(VENV)/bin/pip" install --quiet --disable-pip-version-check -r .ci/requirements.txt
	@touch $@

# The kernel's environment: the project's Go tools first on PATH, and GOFLAGS=-ldflags=-w: GoNB links every
# cell into a program, and without DWARF debug information (not needed for stack traces) the link takes
# 1.7 s instead of 3.4 s per cell. A cell's `%goflags` still passes other flags to go build.
$(KERNEL_JSON): $(TOOLS) $(VENV_STAMP) .ci/kernel_env.py Makefile
	@echo "==> kernel: register GoNB as \"Go (gonb)\" in .venv/share/jupyter (bin/gonb --install)"
	@test -n "$(GO_BIN_DIR)" || { echo "go not found on PATH" >&2; exit 1; }
	@out=$$(JUPYTER_DATA_DIR="$(VENV)/share/jupyter" PATH="$(CURDIR)/bin:$$PATH" \
		"$(CURDIR)/bin/gonb" --install --logtostderr 2>&1) || { echo "$$out" >&2; exit 1; }
	@"$(VENV)/bin/python" .ci/kernel_env.py "$@" 'PATH=$(CURDIR)/bin:$(GO_BIN_DIR):$${PATH}' 'GOFLAGS=-ldflags=-w'
	@"$(JUPYTER)" kernelspec list 2>/dev/null | grep -q '^ *gonb *$(KERNEL_DIR)$$' \
		|| { echo "kernel gonb not visible to $(JUPYTER)" >&2; "$(JUPYTER)" kernelspec list >&2; exit 1; }

# A newcomer's JupyterLab asks nothing on its first screen: no "get notified about official
# Jupyter news?" pop-up (the setting is the schema's fetchNews: "true", "false" or "none" = ask).
$(LAB_OVERRIDES): $(VENV_STAMP) Makefile
	@echo "==> lab-settings: JupyterLab defaults (no news pop-up) -> .venv/share/jupyter/lab/settings/overrides.json"
	@mkdir -p "$(dir $@)"
	@printf '%s\n' '{' '  "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"}' '}' >"$@"

# The venv has a Python kernel too (JupyterLab depends on ipykernel): make Go (gonb) the server's default,
# the kernel a new notebook or a notebook without kernel metadata starts with.
$(SERVER_CONFIG): $(VENV_STAMP) Makefile
	@echo "==> lab-settings: Go (gonb) as the default kernel -> .venv/etc/jupyter/jupyter_server_config.json"
	@mkdir -p "$(dir $@)"
	@printf '%s\n' '{' '  "MultiKernelManager": {"default_kernel_name": "gonb"}' '}' >"$@"

xla: $(XLA_SO)

$(XLA_SO): $(VENV_STAMP) .ci/requirements-xla.txt
	@echo "==> xla: pip install the XLA CPU plugin (.ci/requirements-xla.txt, ~60 MB) -> .xla/pjrt_c_api_cpu_plugin.so"
	@test "$$(uname -s)/$$(uname -m)" = Linux/x86_64 || { echo "make xla: the PyPI plugin is for Linux x86-64 only; elsewhere GoMLX downloads its own" >&2; exit 1; }
	@"$(VENV)/bin/pip" install --quiet --disable-pip-version-check --no-deps --require-hashes -r .ci/requirements-xla.txt
	@so=$$("$(VENV)/bin/python" -c 'import lammps_jax_pjrt_cpu as m; print(m.PLUGIN_PATH)') \
		&& test -f "$$so" && mkdir -p .xla && ln -sfn "$$so" $@
	@touch -h $@

# ---- browser: Debian chromium and fonts + pinned playwright-core (only for make test) ----------

browser: $(CHROMIUM) browser-fonts $(NODE_STAMP)

# apt-get install the Debian packages named in $(1), quietly (the log only on failure).
APT_INSTALL = log=$$(mktemp); { $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	$(1); } >"$$log" 2>&1 || { cat "$$log" >&2; rm -f "$$log"; exit 1; }; rm -f "$$log"

$(CHROMIUM):
	@echo "==> browser: apt-get install $(BROWSER_PKGS) (Debian packages)"
	@$(call APT_INSTALL,$(BROWSER_PKGS))

# chromium may be there without all of BROWSER_PKGS (installed before fonts-noto-cjk joined them):
# install what is missing. Without fonts-noto-cjk the notebooks' Chinese titles render as boxes.
browser-fonts: $(CHROMIUM)
	@missing=$$(for p in $(BROWSER_PKGS); do dpkg -s "$$p" >/dev/null 2>&1 || echo "$$p"; done); \
	if [ -n "$$missing" ]; then \
		echo "==> browser: apt-get install" $$missing "(Debian packages)"; \
		$(call APT_INSTALL,$$missing); \
	fi

$(NODE_STAMP): .ci/browser/package.json .ci/browser/package-lock.json
	@echo "==> browser: npm ci in .ci/browser (playwright-core, no browser download)"
	@cd .ci/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund
	@touch $@

# ---- targets ------------------------------------------------------------------------------------

lab: setup
	@echo "==> lab: JupyterLab on notebooks/ at http://localhost:$(PORT)/lab (Ctrl+C to stop)"
	@$(NB_ENV) "$(JUPYTER)" lab --notebook-dir=notebooks --port=$(PORT) $(ALLOW_ROOT) \
		--ContentsManager.hide_globs="['__pycache__','*.pyc','.DS_Store','*~','*.go','nbcheck']" $(ARGS)

# When make started: `make test` reports how long its set-up and its tests took.
MAKE_START := $(shell date +%s)

# -count=1: the notebooks depend on what go test cannot see (the venv, the kernel, the XLA plugin), so no result
# is taken from the test cache. The notebooks take ≈ 6 min on two cores; -timeout leaves more than twice that.
test: setup browser
	@echo "==> test: set-up took $$(( $$(date +%s) - $(MAKE_START) )) s; go vet ./..."
	@go vet ./... $(BENCH_GO)
	@echo "==> test: .ci/bench's bookkeeping (python -m unittest: rounds, ratios within a round)"
	@PYTHONDONTWRITEBYTECODE=1 "$(VENV)/bin/python" -m unittest discover -s .ci/bench -p 'test_*.py'
	@echo "==> test: go test ./aelib/... on the pure Go backend (GOMLX_BACKEND=go; the full run below uses XLA)"
	@GOMLX_BACKEND=go go test -count=1 ./aelib/...
	@echo "==> test: go test ./... (notebooks run headless with AELIB_QUICK=1, then in chromium)"
	@start=$$(date +%s); set -o pipefail; $(NB_ENV) go test -count=1 -v -timeout 30m -coverprofile=.cover.out ./... 2>&1 \
		| grep --line-buffered -vE '^=== (RUN|PAUSE|CONT|NAME)'; \
		rc=$$?; echo "==> test: go test took $$(( $$(date +%s) - start )) s"; exit $$rc
	@awk 'NR > 1 && $$1 ~ /\/aelib\// { n += $$2; if ($$3 > 0) c += $$2 } \
		END { printf "==> test: aelib coverage: %.1f%% of statements\n", n ? 100 * c / n : 0 }' .cover.out
	@echo "==> test: $$(( $$(date +%s) - $(MAKE_START) )) s in all"

# .ci/lecture.sh runs the notebooks with `nbcheck run` (notebooks/nbcheck), the runner the notebook tests use.
lecture: setup
	@echo "==> lecture: run every notebooks/NN_*.ipynb at full size -> docs/lecture/, docs/results.{json,md}"
	@$(NB_ENV) .ci/lecture.sh

screenshots: setup browser
	@echo "==> screenshots: 00_setup, 02_autoencoder and 05_generation in JupyterLab + chromium, full size -> docs/images/"
	@$(NB_ENV) AELIB_BROWSER_FULL=1 AELIB_SCREENSHOTS="$(CURDIR)/docs/images" go test -count=1 -timeout 30m -run TestBrowser ./notebooks

# ---- bench: the peers PyTorch and JAX, installed by make bench only -----------------------------

# PyTorch from Debian, with OpenBLAS (without libopenblas0-pthread torch falls back to the reference BLAS, ~10×
# slower). JAX from PyPI (pinned by hash) in a venv of its own, .venv-bench/.
TORCH_PKGS := python3-torch libopenblas0-pthread
BENCH_VENV := $(CURDIR)/.venv-bench
BENCH_JAX  := $(BENCH_VENV)/.installed
# The Go programs of make bench: `go vet ./...` skips directories whose names start with a dot.
BENCH_GO   := ./.ci/bench/gomlx ./.ci/bench/ksteps

bench-torch:
	@missing=$$(for p in $(TORCH_PKGS); do dpkg -s "$$p" >/dev/null 2>&1 || echo "$$p"; done); \
	if [ -n "$$missing" ]; then \
		echo "==> bench: apt-get install" $$missing "(Debian packages, ~2 min)"; \
		$(call APT_INSTALL,$$missing); \
	fi

$(BENCH_JAX): .ci/bench/requirements-jax.txt
	@echo "==> bench: $(PYTHON) -m venv .venv-bench; pip install JAX (.ci/bench/requirements-jax.txt, ~140 MB)"
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "JAX needs Python 3.11+, found " + sys.version)'
	@test -x "$(BENCH_VENV)/bin/python" || $(PYTHON) -m venv "$(BENCH_VENV)"
	@"$(BENCH_VENV)/bin/pip" install --quiet --disable-pip-version-check --require-hashes --only-binary=:all: \
		-r .ci/bench/requirements-jax.txt
	@touch $@

# BENCH_QUICK=1 make bench: a reduced run that checks that everything runs (see .ci/bench/bench.py for settings).
# GoMLX is measured by the Go program .ci/bench/gomlx (vetted here: `go vet ./...` skips directories starting with a
# dot), notebooks are run by `nbcheck run`, as in make lecture.
# OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE (set on this machine) slow OpenBLAS: unset for the benchmark only.
bench: setup bench-torch $(BENCH_JAX)
	@echo "==> bench: speed and memory of the reference autoencoder (measured, not asserted) -> docs/performance.{md,json}"
	@go vet $(BENCH_GO)
	@$(NB_ENV) env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$(VENV)/bin/python" .ci/bench/bench.py

clean:
	@echo "==> clean: remove bin/, .venv/, .xla/, .ci/browser/node_modules, test leftovers"
	@rm -rf bin .venv .venv-bench .xla .ci/browser/node_modules .cover.out .nbtest-*
