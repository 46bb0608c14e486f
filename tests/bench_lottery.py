"""Benchmark of the IMP engine's overhead (not a pytest test).

    python tests/bench_lottery.py [--steps 300] [--threads 1]

Trains LeNet-300-100 (batch 60, Adam) on random MNIST-shaped tensors held in memory and prints, measured in
the same run (CPU process time, so other jobs on the machine count less):
  - ms per optimizer step of a plain loop (the reference),
  - ms per step with a `Mask` attached (grad hooks + re-zeroing after each step), and the ratio,
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
from drn_prune.train import train


def plain(x, y, steps, attach):
    m = lenet_300_100(seed=0)
    opt = torch.optim.Adam(m.parameters(), 1.2e-3)
    h = Mask.ones(m).attach(m, opt) if attach else None
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
    t = time.process_time()
    for i in range(0, steps * 60, 60):
        idx = perm[i:i + 60]
        loss = nn.functional.cross_entropy(m(x[idx]), y[idx])
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
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
        plain(x, y, 20, True)  # warm up (imports, allocator)
        ref = plain(x, y, a.steps, False)
        att = plain(x, y, a.steps, True)
        m = lenet_300_100(seed=0)
        t = time.process_time()
        train(m, (x, y), cfg, mask=Mask.ones(m), progress=False)
        loop = 1000 * (time.process_time() - t) / a.steps
        with tempfile.TemporaryDirectory() as root:
            run_imp(lambda: lenet_300_100(seed=0), (x, y), cfg, 0, root + '/warm', dict(b=1), val_data=val, progress=False)
            t = time.process_time()
            run_imp(lambda: lenet_300_100(seed=0), (x, y), cfg, 1, root, dict(b=1), val_data=val, progress=False)   # levels 0 and 1
            eng = 1000 * (time.process_time() - t) / (2 * a.steps)
    print(f"torch {torch.__version__}, {a.threads} thread(s), {a.steps} steps of batch 60, LeNet-300-100")
    print(f"plain Adam loop          {ref:7.2f} ms/step  (reference)")
    print(f"with Mask.attach         {att:7.2f} ms/step  x{att / ref:.2f}")
    print(f"train.train with a mask  {loop:7.2f} ms/step  x{loop / ref:.2f}")
    print(f"run_imp level (all I/O)  {eng:7.2f} ms/step  x{eng / ref:.2f}  (incl. 2k-sample eval per epoch)")


if __name__ == '__main__':
    main()
