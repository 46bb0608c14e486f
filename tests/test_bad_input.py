"""The silent wrong results and poisoned files found by a careful new user, each reproduced and now an error.

One test per case, numbered as in the report that found them (each also has a test in its own notebook).
Run: python -m pytest -q tests/test_bad_input.py
"""
import json, os, re, subprocess, sys, textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from drn_prune.core import seed_everything
from drn_prune.criteria import prune
from drn_prune.data.mazes import load_mazes, make_mazes, save_mazes
from drn_prune.data.mnist import load_mnist1d
from drn_prune.evaluate import accuracy_by_iteration
from drn_prune.masks import Mask
from drn_prune.models.dtnet import DTNet1D, DTNet2D, prefix_sums_inputs
from drn_prune.models.mlp import MLP
from drn_prune.runs import load_runs, run_metadata, write_run
from drn_prune.train import TrainConfig, train


@pytest.fixture(autouse=True)
def one_thread():
    n = torch.get_num_threads(); torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _bits(n, length=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    b = torch.randint(0, 2, (n, length), generator=g)
    return prefix_sums_inputs(b), b.cumsum(1) % 2


def _cfg(**kw):
    return TrainConfig.preset('prefix_sums', 'quick', **{**dict(epochs=2, batch_size=16, train_iters=3), **kw})


@pytest.mark.parametrize('clip', [0.0, -1.0])
def test_01_clip_that_stops_or_flips_learning_is_refused(clip):
    with pytest.raises(ValueError, match=re.escape(f'clip (a gradient-norm bound, or None for no clipping) must be a positive finite number, got {clip}')):
        _cfg(clip=clip)


def test_02_no_checkpoint_ever_holds_non_finite_weights(tmp_path):
    seed_everything(0); m = DTNet1D(width=4, max_iters=3)
    with pytest.raises(ValueError, match='lr must be a positive finite number, got inf'):
        _cfg(lr=float('inf'))
    def blow_up(step):                                      # the weights step into infinity at the end of epoch 2
        if step == 4:
            with torch.no_grad(): next(m.parameters()).fill_(float('inf'))
    with pytest.raises(FloatingPointError, match='end of epoch 2; the last good checkpoint \\(epoch 1\\)'):
        train(m, _bits(32), _cfg(), ckpt_path=tmp_path / 'ck.pt', on_step=blow_up, progress=False)
    ck = torch.load(tmp_path / 'ck.pt', weights_only=False)
    assert ck['epoch'] == 1 and all(bool(torch.isfinite(v).all()) for v in ck['model'].values())


@pytest.mark.parametrize('shape', ['unsqueezed', 'maze'])
def test_03_targets_of_another_shape_are_refused_not_broadcast(shape):
    if shape == 'unsqueezed':
        m, (x, y) = DTNet1D(width=4, max_iters=2), _bits(8)
    else:
        m = DTNet2D(width=4, max_iters=2); x, y = make_mazes(4, 3, seed=0)
    with pytest.raises(ValueError, match='do not match the predictions'):
        accuracy_by_iteration(m, (x, y.unsqueeze(1)), 2)


@pytest.mark.parametrize('change', ['no mask', 'other data'])
def test_04_resume_refuses_another_mask_or_data(tmp_path, change):
    seed_everything(0); m = DTNet1D(width=4, max_iters=3)
    half = prune(m, 'random', 0.5)
    train(m, _bits(32), _cfg(epochs=1), mask=half, ckpt_path=tmp_path / 'ck.pt', progress=False)
    seed_everything(0); fresh = DTNet1D(width=4, max_iters=3)
    kw = dict(mask=None) if change == 'no mask' else dict(mask=half, train_data=_bits(32, seed=1))
    data = kw.pop('train_data', _bits(32))
    with pytest.raises(ValueError, match=f"it was trained with another {'mask' if change == 'no mask' else 'data'}"):
        train(fresh, data, _cfg(epochs=2), ckpt_path=tmp_path / 'ck.pt', resume=True, progress=False, **kw)


def test_05_a_misspelled_notebook_parameter_is_an_error():
    from drn_prune.core import check_parameters
    with pytest.raises(ValueError, match=r'unknown parameter\(s\) densty'):
        check_parameters(['density: float = 0.9\nseed: int = 0', '# Parameters\ndensty = 0.5\n'])
    # (tests/test_notebooks.py runs the real notebook through papermill with -p densty 0.5)


def test_06_concurrent_writers_of_runs_neither_fail_nor_leave_debris(tmp_path):
    writer = textwrap.dedent('''
        import sys, pandas as pd
        from pathlib import Path
        from drn_prune.runs import write_run
        for i in range(100): write_run(Path(sys.argv[1]) / 'same', {'results.csv': pd.DataFrame(dict(i=[i])), 'meta.json': {}})
    ''')
    procs = [subprocess.Popen([sys.executable, '-c', writer, str(tmp_path)], stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errs = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs
    assert [p.name for p in tmp_path.iterdir()] == ['same']


def test_07_loaders_refuse_what_their_files_do_not_promise(tmp_path):
    p = tmp_path / 'mnist1d' / 'mnist1d_data.npz'; p.parent.mkdir()
    good = dict(x=np.zeros((4, 40)), y=np.arange(4), x_test=np.zeros((2, 40)), y_test=np.arange(2))
    for bad, msg in ((dict(y=np.arange(4) + 0.7), 'integer classes 0..9'), (dict(y_test=np.array([1, 55])), 'values in \\[1, 55\\]'),
                     (dict(x=np.full((4, 40), np.nan)), 'NaN or infinite')):
        np.savez(p, **{**good, **bad})
        with pytest.raises(ValueError, match=msg): load_mnist1d(tmp_path)
    x, y = make_mazes(5, 5, seed=0)
    y[2, 7, 7] ^= 1                                        # one pixel of one solution flipped: no longer the path
    save_mazes(x, y, 'test', tmp_path)
    with pytest.raises(ValueError, match='1 solution\\(s\\) are not the path from start to goal \\(first: maze 2\\)'):
        load_mazes(5, 'test', tmp_path)


def test_08_a_truncated_table_is_left_out_by_name_and_a_damaged_meta_is_named(tmp_path):
    for seed in range(2):
        write_run(tmp_path / f'r{seed}', {'results.csv': pd.DataFrame(dict(acc=[1.0, 2.0, 3.0])),
                                           'meta.json': run_metadata(dict(seed=seed), 1.0, 'cpu')})
    csv = tmp_path / 'r1' / 'results.csv'; csv.write_text(csv.read_text()[:8])
    with pytest.warns(UserWarning, match='skipping run .*r1: results.csv differ'):
        got = load_runs(tmp_path)
    assert list(got.run.unique()) == ['r0']
    (tmp_path / 'r0' / 'meta.json').write_text('{"settings": {')
    with pytest.warns(UserWarning) as caught:
        assert len(load_runs(tmp_path)) == 0
    assert sorted(str(w.message).split(': ')[1] for w in caught) == ['meta.json differ from its manifest (truncated or changed since written)',
                                                                   'results.csv differ from its manifest (truncated or changed since written)']
    (tmp_path / 'r0' / 'manifest.json').unlink()           # a folder written before manifests: its meta.json is read, and named
    with pytest.raises(ValueError, match='r0/meta.json is not valid JSON'):
        load_runs(tmp_path)


def test_09_run_imp_checks_levels_before_creating_anything(tmp_path):
    from drn_prune.lottery import run_imp
    cfg = TrainConfig(task='classify', epochs=1, batch_size=8, lr=1e-3, weight_decay=0., warmup_epochs=0, milestones=(),
                      lr_throttle=False)
    with pytest.raises(ValueError, match='levels must be an integer >= 0'):
        run_imp(lambda: MLP((4, 3, 2)), (torch.zeros(8, 4), torch.zeros(8, dtype=torch.long)), cfg, -1, tmp_path, {})
    assert list(tmp_path.iterdir()) == []


def test_10_a_density_that_keeps_nothing_is_an_error():
    m = DTNet2D(width=4, max_iters=3)                      # 4,284 prunable weights
    with pytest.raises(ValueError, match='keeps no weight: round\\(1e-09 \\* 4284 prunable weights\\) = 0'):
        prune(m, 'random', 1e-9)
    assert prune(m, 'random', 1e-9, allow_empty=True).kept() == 0
