"""Execute notebooks in place so that they carry their outputs (`make outputs`), the way nbdev runs them.

nbconvert would also run cells marked `#| eval: false` (a full training run, say); execnb, nbdev's own executor,
runs a notebook cell by cell and lets us skip them. Widget state is dropped: it is hundreds of kB per notebook,
and a static page cannot use it (each viewer draws a plain figure beside its widget).
"""
import argparse, os, re, sys, time
from pathlib import Path

from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'


def not_evaluated(cell) -> bool:
    "A code cell nbdev would not run: `#| eval: false`."
    return cell.cell_type == 'code' and re.search(r'^#\|\s*eval:\s*false\s*$', cell.source, re.M) is not None


def drop_widget_state(nb) -> None:
    "Remove widget views (their text/plain fallback stays) and the notebook-level widget state."
    nb.metadata.pop('widgets', None)
    for c in nb.cells:
        for o in c.get('outputs', []):
            if WIDGET_VIEW in o.get('data', {}): o['data'].pop(WIDGET_VIEW)
        if c.cell_type == 'code': c.outputs = [o for o in c.get('outputs', []) if o.get('data', True)]


def execute(path: Path) -> float:
    "Run every cell of `path` (but `#| eval: false` ones) in the notebook's folder; stop at the first error."
    path = path.resolve()
    nb = read_nb(path)
    for c in nb.cells:
        if c.cell_type == 'code': c.outputs = []
    start = time.perf_counter()
    # execnb does not change the working directory: without chdir a notebook's relative paths (out_dir="../figures")
    # would resolve from wherever make runs, outside the repository; papermill's --cwd nbs and Jupyter both use its folder
    here = os.getcwd()
    os.chdir(path.parent)
    try: CaptureShell(path=path.parent).run_all(nb, exc_stop=True, preproc=not_evaluated)
    finally: os.chdir(here)
    drop_widget_state(nb)
    write_nb(nb, path)
    return time.perf_counter() - start


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='+', type=Path)
    for nb in p.parse_args().notebooks:
        if not nb.exists(): sys.exit(f'no notebook {nb}')
        print(f'executing {nb} ...', flush=True)
        print(f'  {execute(nb):.0f} s', flush=True)
