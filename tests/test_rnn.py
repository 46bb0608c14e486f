"""Fast checks of drn_prune.models.rnn against the pruning machinery (masks, the temporal-Jacobian criterion).

The cells' numerics against torch.nn.GRU/LSTM/RNN are tested in nbs/models/21_rnn.ipynb; here: the jacobian
criterion on our GRU and LSTM against a brute-force computation from the full per-sample Jacobian, and masks
that follow the per-gate groups and survive training.
"""
import pytest
import torch
import torch.nn.functional as F

from drn_prune import criteria
from drn_prune.models.rnn import RNNClassifier, split_group


def brute_chi(model, x, U):
    "chi = mean over the last U steps of mean_b ||J_t 1||^2, J_t from torch.autograd.functional.jacobian per sample."
    T = x.shape[1]
    s = model.init_state(x)
    with torch.no_grad():
        for t in range(T - U): s = model.step(s, x, t)
    vals = []
    for t in range(T - U, T):
        s = s.detach()   # the criterion holds the trajectory fixed: chi depends on theta through the Jacobians
        per = []
        for b in range(x.shape[0]):
            J = torch.autograd.functional.jacobian(lambda v: model.step(v[None], x[b:b + 1], t)[0], s[b], create_graph=True)
            per.append(J.sum(1).pow(2).sum())          # ||J 1||^2
        vals.append(torch.stack(per).mean())
        with torch.no_grad(): s = model.step(s, x, t)
    return torch.stack(vals).mean()


def brute_gamma(model, names, x, seed):
    g = torch.Generator().manual_seed(seed)
    xr = torch.randn(x.shape, generator=g) * 0.1
    hr = torch.randn(x.shape[0], model.state_size, generator=g) * 0.1
    P = dict(model.named_parameters())
    hs = model.step(hr, xr, x.shape[1] - 1).sum(1).mean()
    return dict(zip(names, [g.abs() for g in torch.autograd.grad(hs, [P[n] for n in names])]))


@pytest.mark.parametrize('cell,layers', [('gru', 1), ('lstm', 1), ('gru', 2)])
def test_jacobian_score_matches_brute_force(cell, layers):
    torch.manual_seed(0)
    m = RNNClassifier(cell, 3, 4, num_classes=2, num_layers=layers, init='normal')
    x = torch.randn(3, 6, 3)
    names = list(m.prune_groups())
    P = dict(m.named_parameters())
    ref = torch.autograd.grad(brute_chi(m, x, 4), [P[n] for n in names])
    s = criteria.score(m, 'jacobian', (x, None), normalize=False)
    assert list(s) == names                       # every cell weight matrix, never the head
    for n, r in zip(names, ref):
        torch.testing.assert_close(s[n], r.abs(), atol=1e-6, rtol=1e-4)
    gam = brute_gamma(m, names, x, seed=0)
    sn = criteria.score(m, 'jacobian', (x, None))
    for n, r in zip(names, ref):
        torch.testing.assert_close(sn[n], r.abs() / (gam[n] + 1e-8), atol=1e-5, rtol=1e-3)


def test_masks_follow_gate_groups_and_survive_training():
    torch.manual_seed(0)
    m = RNNClassifier('gru', 5, 8, num_classes=3)
    x, y = torch.randn(16, 7, 5), torch.randint(0, 3, (16,))
    mask = criteria.prune(m, 'snip', 0.2, (x, y))
    assert set(mask) == set(m.prune_groups())      # the head is excluded, every gate x type is a tensor
    assert mask.kept() == round(0.2 * (3 * 8 * 5 + 3 * 8 * 8))
    g = mask.densities(m, by='group').set_index('group')
    assert sorted(g.index) == sorted(f'l0.{gt}.{k}' for gt in 'rzn' for k in ('input', 'recurrent'))
    for label, r in g.iterrows():
        _, gate, kind = split_group(label)
        assert r.total == (8 * 5 if kind == 'input' else 8 * 8)
        assert r.kept == int(mask[f'layers.0.weight_{"ih" if kind == "input" else "hh"}_{gate}'].sum())
    opt = torch.optim.Adam(m.parameters(), 1e-2)
    h = mask.attach(m, opt)
    for _ in range(3):
        opt.zero_grad(); F.cross_entropy(m(x), y).backward(); opt.step()
    h.remove()
    P = dict(m.named_parameters())
    for n, keep in mask.items():
        assert (P[n][~keep] == 0).all(), n       # pruned weights exactly zero in each gate's own tensor
        assert (P[n][keep] != 0).float().mean() > 0.9
    # the fused forward computes with exactly those zeros: same logits as a hand-zeroed copy via the step path
    from drn_prune.core import run_steps
    torch.testing.assert_close(m(x), m.readout(run_steps(m, x)), atol=1e-5, rtol=1e-5)


def test_jacobian_prunes_only_cell_weights_lstm_two_layers():
    torch.manual_seed(1)
    m = RNNClassifier('peephole', 4, 6, num_layers=2)
    x = torch.randn(8, 5, 4)
    mask = criteria.prune(m, 'jacobian', 0.1, (x, None))
    assert set(mask) == set(m.prune_groups())    # peepholes and biases stay dense, the head too
    assert mask.kept() == round(0.1 * sum(mask[n].numel() for n in mask))
