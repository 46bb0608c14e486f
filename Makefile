# drn_prune: setup, tests and the main job. Every target installs what it needs first.
#   make test   -- the test suite CI runs (nbdev sync/clean check, nbdev_test, pytest, papermill parameters)
#   make maze   -- the main job: nbs/maze.ipynb end to end on the quick preset (results in figures/,
#                  the executed notebook in runs/maze_out.ipynb)
#   make ood    -- nbs/ood.ipynb on the quick preset (MNIST -> scikit-learn digits, about 15 minutes)
PY ?= python3
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# Real data for tests and quick runs: ../shared/data when it exists (see ../shared/data/README.md).
export DRN_PRUNE_DATA ?= $(if $(wildcard ../shared/data),$(abspath ../shared/data),)
EXPERIMENTS := $(filter-out nbs/index.ipynb,$(wildcard nbs/[a-z]*.ipynb))

.PHONY: install test maze ood sync-check readme outputs docs docs-test
install:
	@# Keep whatever torch is installed (a CUDA build on a GPU box); on a bare machine take the CPU 2.13.0 wheel,
	@# so the registry's newest (multi-GB CUDA) build is never pulled in by the looser requirement below.
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[dev]"

sync-check: install
	@before=$$( (find nbs drn_prune -type f \( -name '*.ipynb' -o -name '*.py' \) -not -path '*/.ipynb_checkpoints/*'; echo README.md) | sort | xargs sha256sum); \
	nbdev_export && nbdev_clean && $(MAKE) --no-print-directory readme; \
	after=$$( (find nbs drn_prune -type f \( -name '*.ipynb' -o -name '*.py' \) -not -path '*/.ipynb_checkpoints/*'; echo README.md) | sort | xargs sha256sum); \
	if [ "$$before" != "$$after" ]; then diff <(echo "$$before") <(echo "$$after") || true; \
	  echo "FAIL: nbdev_export/nbdev_clean/make readme changed the files above: export, clean and make readme, then commit." >&2; exit 1; fi; \
	echo "notebooks clean, library and README in sync"

# README.md is generated from nbs/index.ipynb (nbdev's readme_nb; nbdev_readme itself needs Quarto, which cannot be
# installed here): nbconvert renders it with its saved outputs, links are rewritten to work from the repository root.
readme:
	@{ echo '<!-- generated from nbs/index.ipynb by `make readme`: edit the notebook, not this file -->'; \
	  jupyter nbconvert --to markdown --stdout --log-level ERROR nbs/index.ipynb \
	  | sed -E 's#\.\./figures/#figures/#g; s#\]\(([A-Za-z0-9_./-]+\.ipynb)\)#](nbs/\1)#g'; } > README.md.tmp
	@mv README.md.tmp README.md

# nbdev_test runs two notebooks at a time on a 2-core machine: one torch thread each (2 threads each
# oversubscribe the cores and were measured ~50x slower on a loaded machine).
test: export OMP_NUM_THREADS = 1
test: sync-check
	nbdev_test --n_workers 2 2>&1 | tee /tmp/drn_prune_nbdev_test.log
	@if grep -q "No files were eligible" /tmp/drn_prune_nbdev_test.log; then echo "FAIL: nbdev_test ran no notebook" >&2; exit 1; fi
	$(PY) -m pytest -q tests
	@for nb in $(EXPERIMENTS); do papermill --help-notebook $$nb > /dev/null || { echo "FAIL: $$nb has no parameters cell" >&2; exit 1; }; \
	  echo "parameters ok: $$nb"; done

# Execute notebooks in place, so GitHub, JupyterLab and the docs site show every output (`make outputs NB=nbs/maze.ipynb`
# for one), as nbdev runs them (`#| eval: false` cells are skipped; see tools/execute_notebooks.py). The experiment notebooks run their quick preset: a finished run resumes from its checkpoint in runs/ and is
# only re-evaluated; on a machine without those checkpoints it trains again (about an hour for all of them on one core).
NB ?= $(shell find nbs -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' -not -name '*_out.ipynb' | sort)
outputs: export OMP_NUM_THREADS = 1
outputs: install
	@# one process per notebook, as nbdev_test runs them: execnb executes in-process, so a second notebook in the same
	@# process would reuse the first one's imported modules (stale after an edit) and global state
	for nb in $(NB); do $(PY) tools/execute_notebooks.py $$nb; done
	nbdev_clean
	$(MAKE) --no-print-directory readme

maze: export OMP_NUM_THREADS = 1   # the committed figures used one thread: same seed + same threads = same numbers
maze: install
	mkdir -p runs
	papermill nbs/maze.ipynb runs/maze_out.ipynb -k python3 --cwd nbs --log-output   # the run streams its own progress

ood: export OMP_NUM_THREADS = 1
ood: install
	mkdir -p runs
	papermill nbs/ood.ipynb runs/ood_out.ipynb -k python3 --cwd nbs --log-output

# The documentation site (MkDocs Material + mkdocs-jupyter; mkdocs.yml, tools/docs_hooks.py): every notebook under
# nbs/ is a page with its saved outputs, index.ipynb the home page, plus an API reference; nothing is fetched at
# view time. `make docs` builds it into _docs/; `make docs-test` builds it, serves it on 127.0.0.1 and checks
# it in headless Chromium (tools/docs_check.py; screenshots in figures/site/).
DOCS_PIP := mkdocs==1.6.1 mkdocs-material==9.8.2 mkdocs-jupyter==0.26.3 mkdocstrings==1.0.8 \
	mkdocstrings-python==2.0.11 jupyter-server-mathjax==0.2.6
docs:
	$(PY) -m pip install -q $(DOCS_PIP)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --quiet
	@echo "site built in _docs/ ($$(find _docs -name '*.html' | wc -l) pages); open _docs/index.html"

docs-test: docs
	@# Debian's chromium and its driver (selenium gets the driver's path, so selenium-manager never downloads one).
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); export DEBIAN_FRONTEND=noninteractive; \
	  $$sudo apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 || \
	  { $$sudo apt-get update -q && $$sudo apt-get install -y -q chromium chromium-driver; }; fi
	$(PY) -m pip install -q selenium==4.51.0
	$(PY) tools/docs_check.py --chromium $$(command -v chromium) --chromedriver $$(command -v chromedriver)
