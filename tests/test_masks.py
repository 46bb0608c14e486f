"Property tests for drn_prune.masks and drn_prune.criteria's ranking (fast; hypothesis)."
import tempfile
from pathlib import Path

import pytest
import torch
from torch import nn

from hypothesis import given, settings, strategies as st

from drn_prune.criteria import prune
from drn_prune.masks import Mask, prunable_parameters

SETTINGS = settings(max_examples=40, deadline=None)


@pytest.fixture(autouse=True)
def one_thread():
    n = torch.get_num_threads(); torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _mlp(sizes):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]): layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


sizes = st.lists(st.integers(1, 7), min_size=2, max_size=4)
densities = st.floats(0.001, 1.0, allow_nan=False)


@SETTINGS
@given(sizes, densities, st.sampled_from(['random', 'magnitude']), st.booleans(), st.integers(0, 3), st.booleans())
def test_exact_keep_count(sz, d, crit, ties, seed, invert):
    torch.manual_seed(seed)
    net = _mlp(sz)
    if ties:
        with torch.no_grad():
            for p in net.parameters(): p.fill_(0.3)
    N = sum(p.numel() for p in prunable_parameters(net).values())
    m = prune(net, crit, d, seed=seed, invert=invert, allow_empty=True)
    assert m.kept() == round(d * N)
    mt = prune(net, crit, d, seed=seed, scope='tensor', allow_empty=True)
    assert [int(v.sum()) for v in mt.values()] == [round(d * v.numel()) for v in mt.values()]


@SETTINGS
@given(sizes, densities, densities, st.integers(1, 4), st.integers(0, 3))
def test_no_revival(sz, d1, d2, iters, seed):
    net = _mlp(sz)
    hi, lo = max(d1, d2), min(d1, d2)
    m1 = prune(net, 'random', hi, seed=seed, allow_empty=True)
    N = m1.numel()
    if round(lo * N) > m1.kept(): return
    m2 = prune(net, 'random', lo, mask=m1, iterations=iters, seed=seed + 1, allow_empty=True)
    assert m2.kept() == round(lo * N)
    assert (m2 & m1) == m2


@SETTINGS
@given(sizes, densities, st.integers(0, 100))
def test_mask_algebra_shuffle_and_io(sz, d, seed):
    net = _mlp(sz)
    a, b = prune(net, 'random', d, seed=seed, allow_empty=True), prune(net, 'random', d, seed=seed + 1, allow_empty=True)
    assert (a | b).kept() + (a & b).kept() == a.kept() + b.kept()
    s = a.shuffled(seed)
    assert [int(v.sum()) for v in s.values()] == [int(v.sum()) for v in a.values()]
    with tempfile.TemporaryDirectory() as t:
        a.save(Path(t) / 'm.pt')
        assert Mask.load(Path(t) / 'm.pt', net) == a


def test_attached_step_keeps_zeros_with_stale_adam_state():
    torch.manual_seed(0)
    net = _mlp([5, 8, 3])
    opt = torch.optim.AdamW(net.parameters(), 1e-2, weight_decay=0.1)
    x, y = torch.randn(16, 5), torch.randint(0, 3, (16,))
    for _ in range(3):
        opt.zero_grad(); nn.functional.cross_entropy(net(x), y).backward(); opt.step()
    m = prune(net, 'magnitude', 0.3)
    with m.attach(net, opt):
        for _ in range(10):
            opt.zero_grad(); nn.functional.cross_entropy(net(x), y).backward(); opt.step()
            assert all((net.get_parameter(n)[~k] == 0).all() for n, k in m.items())
    assert not opt._optimizer_step_post_hooks
