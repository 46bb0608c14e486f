"""Benchmark of the IMP engine's overhead (not a pytest test).

    python tests/bench_lottery.py [--steps 300] [--threads 1]

Trains LeNet-300-100 (batch 60, Adam) on random MNIST-shaped tensors held in memory and prints, measured in
the same run (CPU process time, so other jobs on the machine count less):
  - ms per optimizer step of a plain loop with torch's default CPU Adam (per-tensor; the reference),
  - the same loop with a 90%-sparse mask kept by boolean `masked_fill_` on the gradients and the weights
    (how masks are commonly kept, and what `drn_prune.masks` did before), and with the fused Adam alone,
  - ms per step with our `Mask` attached (0/1 products) and the fused Adam `make_optimizer` builds, and the ratio,
  - ms per step of `train.train` with a mask (the loop every level uses), and its ratio,
  - ms per step of one whole `run_imp` level (train + per-epoch checkpoint, mask/sparsity/metrics files,
    2k-sample evaluation), and its ratio to the plain loop.
"""
import argparse, tempfile, time
import torch
from torch import nn
from drn_prune.core import run_settings
from drn_prune.masks import Mask
from drn_prune.models.mlp import lenet_300_100
from drn_prune.lottery import run_imp
from drn_prune.experiments.lottery import classifier_config
from drn_prune.train import make_optimizer, train


def sparse_mask(m):
    g = torch.Generator().manual_seed(1)
    return Mask({n: torch.rand(p.shape, generator=g) < 0.1 for n, p in m.named_parameters() if n.endswith('weight')})


def plain(x, y, steps, masking=None, fused=False):
    "ms per step of a hand-written loop; masking None, 'bool' (masked_fill_ on grads and weights) or 'attach' (our Mask)."
    m = lenet_300_100(seed=0)
    opt = make_optimizer(m, classifier_config(1)) if fused else torch.optim.Adam(m.parameters(), 1.2e-3, foreach=False)
    mask = sparse_mask(m)
    pruned = [(m.get_parameter(n), ~k) for n, k in mask.items()]
    h = mask.attach(m, opt) if masking == 'attach' else None
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
    t = time.process_time()
    for i in range(0, steps * 60, 60):
        idx = perm[i:i + 60]
        loss = nn.functional.cross_entropy(m(x[idx]), y[idx])
        opt.zero_grad(set_to_none=True); loss.backward()
        if masking == 'bool':
            for p, z in pruned: p.grad.masked_fill_(z, 0)
        opt.step()
        if masking == 'bool':
            with torch.no_grad():
                for p, z in pruned: p.masked_fill_(z, 0)
    dt = time.process_time() - t
    if h: h.remove()
    return 1000 * dt / steps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=300)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    with run_settings(threads=a.threads, seed=0):
        g = torch.Generator().manual_seed(0)
        n = a.steps * 60
        x, y = torch.randn(n, 784, generator=g), torch.randint(0, 10, (n,), generator=g)
        val = (x[:2000], y[:2000])
        cfg = classifier_config(1)
        plain(x, y, 20, 'attach', True)  # warm up (imports, allocator)
        ref = plain(x, y, a.steps)
        boolean = plain(x, y, a.steps, 'bool')
        fused = plain(x, y, a.steps, None, True)
        att = plain(x, y, a.steps, 'attach', True)
        m = lenet_300_100(seed=0)
        t = time.process_time()
        train(m, (x, y), cfg, mask=sparse_mask(m), progress=False)
        loop = 1000 * (time.process_time() - t) / a.steps
        with tempfile.TemporaryDirectory() as root:
            run_imp(lambda: lenet_300_100(seed=0), (x, y), cfg, 0, root + '/warm', dict(b=1), val_data=val, progress=False)
            t = time.process_time()
            run_imp(lambda: lenet_300_100(seed=0), (x, y), cfg, 1, root, dict(b=1), val_data=val, progress=False)   # levels 0 and 1
            eng = 1000 * (time.process_time() - t) / (2 * a.steps)
    print(f"torch {torch.__version__}, {a.threads} thread(s), {a.steps} steps of batch 60, LeNet-300-100")
    print(f"plain loop, default CPU Adam (per-tensor)          {ref:7.2f} ms/step  (reference)")
    print(f"  + 90%-sparse mask by boolean masked_fill_        {boolean:7.2f} ms/step  x{boolean / ref:.2f}  (before)")
    print(f"plain loop, fused Adam, no mask                    {fused:7.2f} ms/step  x{fused / ref:.2f}")
    print(f"fused Adam + Mask.attach (0/1 products)            {att:7.2f} ms/step  x{att / ref:.2f}  (now; x{att / boolean:.2f} of before)")
    print(f"train.train with the mask                          {loop:7.2f} ms/step  x{loop / ref:.2f}")
    print(f"run_imp level (all I/O)                            {eng:7.2f} ms/step  x{eng / ref:.2f}  (incl. 2k-sample eval per epoch)")


if __name__ == '__main__':
    main()
