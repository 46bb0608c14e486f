"Fast checks of drn_prune.models.dtnet, drn_prune.train and drn_prune.evaluate (the notebooks hold the full tests)."
import copy
import pytest
import torch
import torch.nn.functional as F

from drn_prune.core import run_steps, seed_everything
from drn_prune.models.dtnet import DTNet1D, DTNet2D, prefix_sums_inputs
from drn_prune.train import TrainConfig, progressive_backward, train
from drn_prune.evaluate import accuracy_by_iteration


@pytest.fixture(autouse=True)
def one_thread():
    n = torch.get_num_threads(); torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def test_param_counts():
    assert sum(p.numel() for p in DTNet1D().parameters()) == 3_123_600
    assert sum(p.numel() for p in DTNet2D().parameters()) == 783_504


def test_forward_is_run_steps_plus_readout():
    torch.manual_seed(0)
    m, x = DTNet2D(width=4, max_iters=3), torch.rand(2, 3, 6, 6)
    assert torch.allclose(m(x, iters=5), m.readout(run_steps(m, x, 5)))


def _maze_like(n, seed):
    g = torch.Generator().manual_seed(seed)
    x = (torch.rand(n, 1, 6, 6, generator=g) > 0.3).float().expand(-1, 3, -1, -1).contiguous()
    return x, ((x[:, 0] > 0) & (torch.rand(n, 6, 6, generator=g) > 0.7)).long()


@pytest.mark.parametrize('n,k,alpha', [(0, 4, 0.5), (2, 2, 0.5), (3, 1, 1.0), (1, 2, 0.01)])
def test_progressive_gradient_matches_separate_passes(n, k, alpha):
    torch.manual_seed(0)
    m = DTNet2D(width=4, max_iters=4)
    x, y = _maze_like(5, 0)
    mask = x.amax(1) > 0
    ce = lambda o: F.cross_entropy(o, y, reduction='none')[mask].mean()
    m.zero_grad()
    s = run_steps(m, x, n).detach() if n > 0 else None
    ref = (1 - alpha) * ce(m(x, iters=4)) + alpha * ce(m(x, iters=k, state=s))
    ref.backward()
    g_ref = {name: p.grad.clone() for name, p in m.named_parameters() if p.grad is not None}
    m.zero_grad()
    loss, _ = progressive_backward(m, x, y, n, k, alpha, 4, 'mazes')
    assert torch.allclose(loss, ref.detach(), atol=1e-6)
    for name, p in m.named_parameters():
        g = p.grad if p.grad is not None else torch.zeros_like(p)
        assert torch.allclose(g, g_ref.get(name, torch.zeros_like(p)), atol=1e-6), name


def test_streaming_accuracy_equals_all_outputs():
    torch.manual_seed(0)
    m = DTNet1D(width=4, max_iters=3).eval()
    bits = torch.randint(0, 2, (40, 4)); x, y = prefix_sums_inputs(bits), bits.cumsum(1) % 2
    with torch.no_grad():
        outs, s = [], m.projection(x)
        for _ in range(8):
            s = m.recur_block(torch.cat([s, x], 1)); outs.append(m.head(s))
    naive = [int((o.argmax(1) == y).all(1).sum()) for o in outs]
    assert accuracy_by_iteration(m, (x, y), 8, batch_size=7).correct.tolist() == naive


def test_resume_is_bitwise(tmp_path):
    cfg = TrainConfig.preset('mazes', epochs=2, batch_size=8, train_iters=3, alpha=0.5, warmup_epochs=2)
    data = _maze_like(16, 1)
    def fresh(): seed_everything(3); return DTNet2D(width=4, max_iters=3)
    a = fresh(); train(a, data, cfg, ckpt_path=tmp_path / 'a.pt', progress=False)
    b = fresh(); train(b, data, TrainConfig(**{**cfg.__dict__, 'epochs': 1}), ckpt_path=tmp_path / 'b.pt', progress=False)
    b = fresh(); train(b, data, cfg, ckpt_path=tmp_path / 'b.pt', resume=True, progress=False)
    for t1, t2 in zip(a.state_dict().values(), b.state_dict().values()): assert torch.equal(t1, t2)
