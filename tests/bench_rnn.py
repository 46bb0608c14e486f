"""Benchmarks for drn_prune.models.rnn and the temporal-Jacobian criterion (a script, not a pytest test).

    python tests/bench_rnn.py                 # GRU training step vs torch.nn.GRU, criterion runtimes
    python tests/bench_rnn.py --skip-criteria # only the training step

Prints (1) the time of one training step (forward, backward, Adam step) of drn_prune's GRU against
torch.nn.GRU at the paper's size -- hidden 400, sequential MNIST rows (28 steps x 28 features), batch 64 --
side by side, median of several repeats, with the ratio; (2) the same for the LSTM; (3) the runtime of
each pruning criterion (drn_prune.criteria.prune) on that GRU at 95% sparsity, with jacobian / snip
(Zhang & Stadie report 4.9 s vs 4.7 s on a P100). The machine's load average is printed first: the
2 CPU cores are shared, so compare ratios measured in the same run, not absolute times across runs.
"""
import argparse, os, statistics, time
import torch, torch.nn as nn, torch.nn.functional as F
from drn_prune.models.rnn import RNNClassifier

def median_time(f, n=7, warmup=2):
    for _ in range(warmup): f()
    ts = []
    for _ in range(n):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)

class TorchRef(nn.Module):
    "torch.nn.GRU/LSTM with the same linear head on the last h."
    def __init__(self, cell, I, H, C=10):
        super().__init__()
        self.rnn = (nn.GRU if cell == 'gru' else nn.LSTM)(I, H, batch_first=True)
        self.head = nn.Linear(H, C)
    def forward(self, x): return self.head(self.rnn(x)[0][:, -1])

def train_step_fn(model, x, y):
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    def f():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return f

def bench_cells(hidden, batch, threads):
    torch.manual_seed(0)
    x, y = torch.randn(batch, 28, 28), torch.randint(0, 10, (batch,))
    for cell in ('gru', 'lstm'):
        ours, ref = RNNClassifier(cell, 28, hidden, init='torch'), TorchRef(cell, 28, hidden)
        t_ref = median_time(train_step_fn(ref, x, y))
        t_ours = median_time(train_step_fn(ours, x, y))
        with torch.no_grad():
            f_ref = median_time(lambda: ref(x)); f_ours = median_time(lambda: ours(x))
        print(f"{cell.upper()} hidden {hidden}, 28x28 steps, batch {batch}, {threads} threads: "
              f"train step ours {t_ours*1e3:7.1f} ms | torch.nn.{cell.upper()} {t_ref*1e3:7.1f} ms | ratio ours/torch {t_ours/t_ref:.2f}x"
              f"   (forward only: {f_ours*1e3:.1f} vs {f_ref*1e3:.1f} ms, ratio {f_ours/f_ref:.2f}x)")

def bench_criteria(hidden, batch, density=0.05):
    torch.manual_seed(0)
    x, y = torch.randn(batch, 28, 28), torch.randint(0, 10, (batch,))
    res = {}
    for crit in ('random', 'magnitude', 'snip', 'grasp', 'jacobian'):
        if crit not in CRITERIA: print(f"  {crit}: not in CRITERIA"); continue
        m = RNNClassifier('gru', 28, hidden)
        res[crit] = median_time(lambda: prune(m, crit, density, (x, y)), n=3, warmup=1)
        print(f"  criterion {crit:9s}: {res[crit]:.3f} s  (GRU {hidden}, batch {batch}, density {density})")
    if 'jacobian' in res and 'snip' in res:
        print(f"  jacobian / snip runtime ratio: {res['jacobian']/res['snip']:.2f}  (paper, P100: 4.9 s / 4.7 s = 1.04)")

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--hidden', type=int, default=400); ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--threads', type=int, default=2); ap.add_argument('--skip-criteria', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print('load average (1, 5, 15 min):', os.getloadavg(), '| torch', torch.__version__)
    bench_cells(a.hidden, a.batch, a.threads)
    if not a.skip_criteria: bench_criteria(a.hidden, a.batch)
