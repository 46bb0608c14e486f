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

.PHONY: install test maze ood sync-check
install:
	@# Keep whatever torch is installed (a CUDA build on a GPU box); on a bare machine take the CPU 2.13.0 wheel,
	@# so the registry's newest (multi-GB CUDA) build is never pulled in by the looser requirement below.
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[dev]"

sync-check: install
	@before=$$(find nbs drn_prune -type f \( -name '*.ipynb' -o -name '*.py' \) -not -path '*/.ipynb_checkpoints/*' | sort | xargs sha256sum); \
	nbdev_export && nbdev_clean; \
	after=$$(find nbs drn_prune -type f \( -name '*.ipynb' -o -name '*.py' \) -not -path '*/.ipynb_checkpoints/*' | sort | xargs sha256sum); \
	if [ "$$before" != "$$after" ]; then diff <(echo "$$before") <(echo "$$after") || true; \
	  echo "FAIL: nbdev_export/nbdev_clean changed the files above: export and clean, then commit." >&2; exit 1; fi; \
	echo "notebooks clean, library in sync"

# nbdev_test runs two notebooks at a time on a 2-core machine: one torch thread each (2 threads each
# oversubscribe the cores and were measured ~50x slower on a loaded machine).
test: export OMP_NUM_THREADS = 1
test: sync-check
	nbdev_test --n_workers 2 2>&1 | tee /tmp/drn_prune_nbdev_test.log
	@if grep -q "No files were eligible" /tmp/drn_prune_nbdev_test.log; then echo "FAIL: nbdev_test ran no notebook" >&2; exit 1; fi
	$(PY) -m pytest -q tests
	@for nb in $(EXPERIMENTS); do papermill --help-notebook $$nb > /dev/null || { echo "FAIL: $$nb has no parameters cell" >&2; exit 1; }; \
	  echo "parameters ok: $$nb"; done

maze: export OMP_NUM_THREADS = 1   # the committed figures used one thread: same seed + same threads = same numbers
maze: install
	mkdir -p runs
	papermill nbs/maze.ipynb runs/maze_out.ipynb -k python3 --cwd nbs --log-output   # the run streams its own progress

ood: export OMP_NUM_THREADS = 1
ood: install
	mkdir -p runs
	papermill nbs/ood.ipynb runs/ood_out.ipynb -k python3 --cwd nbs --log-output
