"""The documentation site's staging (tools/docs_hooks.py): nav from the files, nbdev directives, links.

Fast and without MkDocs; `make docs-test` checks the built site itself in a browser.
"""
import importlib.util, json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location('docs_hooks', ROOT / 'tools' / 'docs_hooks.py')
hooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hooks)


def code(src, outputs=()):
    return dict(cell_type='code', source=src, metadata={}, outputs=list(outputs), execution_count=None)


def test_directives_are_applied_as_nbdev_docs_would():
    assert hooks.stage_cell(code('#| hide\nx = 1')) is None
    assert hooks.stage_cell(code('#| default_exp core')) is None
    assert hooks.stage_cell(code('#|export\n#| eval: false\ndef f(): pass'))['source'] == 'def f(): pass'
    assert hooks.stage_cell(code('show_doc(f)')) is None                       # nothing to show
    assert hooks.stage_cell(code('show_doc(f)', [{'output_type': 'display_data'}]))['metadata']['tags'] == ['remove_input']
    assert hooks.stage_cell(code('#| echo: false\n1', [{'o': 1}]))['metadata']['tags'] == ['remove_input']
    assert hooks.stage_cell(code('#| output: false\n1', [{'o': 1}]))['outputs'] == []
    md = dict(cell_type='markdown', source='#| hide is just text here', metadata={})
    assert hooks.stage_cell(md) is md


def test_links_point_at_pages_and_repository_files_are_copied(tmp_path):
    nbs, fig = tmp_path / 'nbs', tmp_path / 'figures' / 'x.png'
    fig.parent.mkdir(); fig.write_bytes(b'png')
    copies = {}
    text = ('[m](maze.ipynb#run) ![a](../figures/x.png) <img src="../figures/x.png"> [w](https://a.b/c.ipynb) '
            '[s](#settings) ![gone](../figures/none.png)')
    out = hooks.rewrite_links(text, Path('index.ipynb'), copies, root=tmp_path, nbs=nbs)
    assert out == ('[m](maze.html#run) ![a](figures/x.png) <img src="figures/x.png"> [w](https://a.b/c.ipynb) '
                   '[s](#settings) ![gone](../figures/none.png)')
    deep = hooks.rewrite_links('[i](../index.ipynb) ![a](../../figures/x.png)', Path('data/02_mazes.ipynb'), copies,
                               root=tmp_path, nbs=nbs)
    assert deep == '[i](../index.html) ![a](../figures/x.png)'
    assert copies == {Path('figures/x.png'): fig}


def _nb(path, title):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({'cells': [dict(cell_type='markdown', source=f'# {title}\n\n> summary', metadata={})],
                                'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}))


def test_nav_lists_every_notebook_in_its_group(tmp_path):
    names = {'index.ipynb': 'Home page', '00_core.ipynb': 'core', '11_criteria.ipynb': 'criteria',
             '30_train.ipynb': 'train', '40_runs.ipynb': 'runs', '60_widgets.ipynb': 'Viewers',
             '90_new.ipynb': 'New thing', 'ood.ipynb': 'OOD', 'maze.ipynb': 'Mazes study', 'zeta.ipynb': 'Zeta',
             'data/02_mazes.ipynb': 'Mazes', 'models/20_dtnet.ipynb': 'DTNet', 'experiments/41_dtnet.ipynb': 'dtnet',
             'extras/01_more.ipynb': 'More', '.ipynb_checkpoints/maze-checkpoint.ipynb': 'x', 'maze_out.ipynb': 'x'}
    for rel, title in names.items(): _nb(tmp_path / rel, title)
    nav = hooks.build_nav(tmp_path)
    flat = {next(iter(d)): next(iter(d.values())) for d in nav}
    assert flat['Home'] == 'index.ipynb'
    assert flat['Studies'] == [{'Mazes study': 'maze.ipynb'}, {'OOD': 'ood.ipynb'}, {'Zeta': 'zeta.ipynb'}]
    assert flat['Core, masks & criteria'] == [{'core': '00_core.ipynb'}, {'criteria': '11_criteria.ipynb'}]
    assert flat['Experiment modules'] == [{'runs': '40_runs.ipynb'}, {'dtnet': 'experiments/41_dtnet.ipynb'}]
    assert flat['Viewers'] == [{'Viewers': '60_widgets.ipynb'}]
    listed = {p for d in nav for v in d.values() for p in ([v] if isinstance(v, str) else [next(iter(i.values())) for i in v])}
    assert listed == {r for r in names if '.ipynb_checkpoints' not in r and not r.endswith('_out.ipynb')}


def test_widgets_are_drawn_from_their_saved_state():
    ref = lambda i: f'IPY_MODEL_{i}'
    state = {'box': dict(model_name='HBoxModel', state=dict(children=[ref('txt'), ref('bar')], layout=ref('lay'))),
             'lay': dict(model_name='LayoutModel', state={}),
             'txt': dict(model_name='HTMLModel', state=dict(value='epochs: 100%')),
             'bar': dict(model_name='FloatProgressModel', state=dict(value=8.0, max=8.0)),
             'gone': dict(model_name='HTMLModel', state=dict(value='x', layout=ref('hid'))),
             'hid': dict(model_name='LayoutModel', state=dict(visibility='hidden'))}
    view = lambda i: dict(output_type='display_data', metadata={},
                          data={hooks.WIDGET_VIEW: dict(model_id=i), 'text/plain': 'epochs: 0%'})
    nb = dict(metadata=dict(widgets={'application/vnd.jupyter.widget-state+json': dict(state=state)}),
              cells=[code('loop()', [view('box'), view('closed'), view('gone'), dict(output_type='stream', text='hi')])])
    hooks.stage_widgets(nb)
    assert 'widgets' not in nb['metadata']
    outs = nb['cells'][0]['outputs']
    assert len(outs) == 2 and outs[1]['output_type'] == 'stream'               # closed and hidden widgets go
    html = outs[0]['data']['text/html']
    assert hooks.WIDGET_VIEW not in outs[0]['data']
    assert 'epochs: 100%' in html and 'aria-valuenow="8.0" aria-valuemax="8.0"' in html and 'width:100.0%' in html and 'flex-direction:row' in html
