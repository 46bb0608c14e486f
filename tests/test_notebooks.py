"""Project conventions that every notebook must keep.

These read the notebooks as JSON: cheap, and independent of nbdev's own machinery.
"""
import configparser, json, re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT / 'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts
             and not p.name.endswith('_out.ipynb'))
API_NBS = [p for p in NBS if re.match(r'\d\d_', p.name)]
EXPERIMENT_NBS = [p for p in NBS if p.parent == ROOT / 'nbs' and not re.match(r'\d\d_', p.name) and p.name != 'index.ipynb']


def cells(nb_path):
    return json.loads(nb_path.read_text())['cells']


def src(cell):
    return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']


def test_there_are_notebooks():
    assert API_NBS, 'no API notebooks found under nbs/'


def test_settings_keep_papermill_tags_and_skip_slow_cells():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / 'settings.ini')
    d = cfg['DEFAULT']
    assert 'tags' in d['allowed_cell_metadata_keys'].split(), 'nbdev_clean would strip the parameters tag'
    assert {'slow', 'cuda'} <= set(d['tst_flags'].split())


@pytest.mark.parametrize('nb', NBS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_starts_with_title_and_summary(nb):
    first = cells(nb)[0]
    assert first['cell_type'] == 'markdown', f'{nb.name}: first cell must be markdown'
    lines = [l for l in src(first).splitlines() if l.strip()]
    assert lines[0].startswith('# '), f'{nb.name}: first line must be a "# title"'
    assert any(l.startswith('> ') for l in lines[1:3]), f'{nb.name}: a "> one-line summary" must follow the title'


@pytest.mark.parametrize('nb', NBS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_committed_with_its_outputs_and_none_is_an_error(nb):
    code = [c for c in cells(nb) if c['cell_type'] == 'code']
    assert any(c.get('outputs') for c in code), f'{nb.name}: commit notebooks executed, with their outputs (see `make outputs`)'
    for c in code:
        assert c.get('execution_count') is None, f'{nb.name}: run nbdev_clean (execution counts are noise in diffs)'
        errors = [o for o in c.get('outputs', []) if o.get('output_type') == 'error']
        assert not errors, f"{nb.name}: a saved output is an error: {errors[0].get('ename')}: {errors[0].get('evalue')}"


def _public_definitions(code: str) -> list[str]:
    import ast
    tree = ast.parse('\n'.join(l for l in code.splitlines() if not l.startswith('#|')))
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith('_')]


@pytest.mark.parametrize('nb', API_NBS, ids=lambda p: str(p.relative_to(ROOT)))
def test_api_notebook_shows_every_public_definition_with_show_doc(nb):
    code = [src(c) for c in cells(nb) if c['cell_type'] == 'code']
    defined = [n for s in code if re.search(r'^#\|\s*export', s, re.M) for n in _public_definitions(s)]
    shown = set(re.findall(r'show_doc\(([\w.]+)\)', '\n'.join(code)))
    missing = [n for n in defined if n not in shown]
    assert not missing, f'{nb.name}: no show_doc cell for {missing}'


@pytest.mark.parametrize('nb', API_NBS, ids=lambda p: str(p.relative_to(ROOT)))
def test_api_notebook_exports_a_module_and_tests_it(nb):
    code = [src(c) for c in cells(nb) if c['cell_type'] == 'code']
    assert any(re.search(r'^#\|\s*default_exp\s+\S+', s, re.M) for s in code), f'{nb.name}: no default_exp'
    exports = [i for i, s in enumerate(code) if re.search(r'^#\|\s*export', s, re.M)]
    assert exports, f'{nb.name}: exports nothing'
    assert any('test_' in s for s in code), f'{nb.name}: has no fastcore.test assertions'


@pytest.mark.parametrize('nb', EXPERIMENT_NBS, ids=lambda p: str(p.relative_to(ROOT)))
def test_experiment_notebook_has_parameters_cell_with_preset_out_dir_and_seed(nb):
    params = [c for c in cells(nb) if 'parameters' in c.get('metadata', {}).get('tags', [])]
    assert len(params) == 1, f'{nb.name}: needs exactly one cell tagged "parameters"'
    body = src(params[0])
    for name in ('preset', 'out_dir', '(n_)?seeds?'):   # one run's `seed`, or a study's `seeds` / `n_seeds`
        assert re.search(rf'^{name}\s*(:[^=]+)?=', body, re.M), f'{nb.name}: parameters cell lacks {name}'


SOURCES = NBS + sorted((ROOT / 'drn_prune').rglob('*.py')) + sorted((ROOT / 'tests').glob('*.py'))


def _text(path):
    return '\n'.join(src(c) for c in cells(path)) if path.suffix == '.ipynb' else path.read_text()


@pytest.mark.parametrize('path', SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_hidden_globals_and_no_skipped_imports_of_our_own_modules(path):
    text = _text(path)
    if path.name != 'test_notebooks.py':
        assert 'globals()' not in text, f'{path.name}: rewrites globals() (pass settings explicitly)'
        assert not re.search(r'importorskip\([\'"]drn_prune', text), f'{path.name}: a broken import of our own module must fail, not skip'
        assert not re.search(r'from drn_prune[\w.]* import [^\n]*\n\s*except ImportError', text), \
            f'{path.name}: a broken import of our own module must fail, not be caught'
        outside = 'DESIGN' + '.md'                      # the design notes beside the repository (spelled apart: this file names it)
        assert outside not in text, f'{path.name}: cites a file outside the repository'


@pytest.mark.parametrize('nb', EXPERIMENT_NBS, ids=lambda p: str(p.relative_to(ROOT)))
def test_experiment_notebooks_leave_process_settings_to_the_run(nb):
    code = '\n'.join(src(c) for c in cells(nb) if c['cell_type'] == 'code')
    for call in ('torch.set_num_threads', 'matplotlib.use', 'set_flush_denormal', 'register_criterion'):
        assert call not in code, f'{nb.name}: calls {call} (process-wide state belongs to core.run_settings inside a run)'


@pytest.mark.parametrize('nb', EXPERIMENT_NBS, ids=lambda p: str(p.relative_to(ROOT)))
def test_papermill_sees_every_parameter(nb):
    "papermill's parser drops a parameter whose comment holds '=' (so `-p` and --help-notebook ignore it)."
    import papermill
    params = [c for c in cells(nb) if 'parameters' in c.get('metadata', {}).get('tags', [])]
    names = re.findall(r'^(\w+)\s*(?::[^=]+)?=', src(params[0]), re.M)
    assert sorted(papermill.inspect_notebook(str(nb))) == sorted(names), f'{nb.name}: papermill cannot parse some parameters'


def test_a_misspelled_parameter_fails_in_the_first_cells(tmp_path):
    "papermill only warns about an unknown -p name; the notebook itself must refuse it before any compute."
    import os, papermill
    from papermill.exceptions import PapermillExecutionError
    os.environ['IN_TEST'] = '1'
    try:
        with pytest.raises(PapermillExecutionError, match=r'unknown parameter\(s\) densty'):
            papermill.execute_notebook(str(ROOT / 'nbs' / 'prefix_sums.ipynb'), str(tmp_path / 'out.ipynb'),
                                       parameters=dict(densty=0.5), cwd=str(ROOT / 'nbs'), progress_bar=False, kernel_name='python3')
    finally: os.environ.pop('IN_TEST')
    assert not list(tmp_path.glob('prefix_sums*')), 'nothing may be written'
