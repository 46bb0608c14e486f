"""Cost of each pruning criterion, and of masked training, relative to one training step of a DTNet-2D on mazes.

    python tests/bench_criteria.py                       # width 32, batch 50, 9x9 mazes, 30 iterations (~5 min on 2 cores)
    python tests/bench_criteria.py --width 128           # the published width (a training step ~45 s on 2 CPU cores)

A training step is forward + backward + Adam step (lr 1e-3, weight decay 2e-4) at the training iteration count,
per-pixel cross-entropy. Times are CPU times of this process (`time.process_time`, robust to
other jobs on a shared machine; with 1 thread, the wall time of an idle machine). Each criterion is timed once end to end (`prune(...)` at density 0.1 with its default
number of rounds: 100 for SynFlow, 1 for the others), and expressed as a multiple of the median step time and
as a fraction of a 50-epoch run (50,000 mazes / batch 50 = 1,000 steps per epoch). Masked vs unmasked step:
the two models alternate step by step (so machine load hits both alike) and the ratio of median times is
reported. Targets: SNIP <= 2x, GraSP <= 5x, SynFlow <= 100x, jacobian <= 10x, masked step <= 1.05x.
Not a pytest test (the name does not start with test_).
"""
import argparse, copy, os, statistics, time

import torch
import torch.nn.functional as F

from drn_prune.criteria import CRITERIA, prune
from drn_prune.data.mazes import make_mazes
from drn_prune.models.dtnet import DTNet2D

TARGETS = {'snip': 2, 'grasp': 5, 'synflow': 100, 'jacobian': 10}
clock = time.process_time   # CPU time of this process: robust to other jobs on a shared machine (wall time printed too)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--width', type=int, default=32)
    ap.add_argument('--batch', type=int, default=50)
    ap.add_argument('--size', type=int, default=9, help='maze size (9 -> 24x24 images)')
    ap.add_argument('--iters', type=int, default=30, help='training iterations of the recurrent block')
    ap.add_argument('--steps', type=int, default=5, help='timed training steps per model')
    ap.add_argument('--density', type=float, default=0.1)
    ap.add_argument('--criteria', default=','.join(CRITERIA))
    ap.add_argument('--threads', type=int, default=1,
                    help='torch intra-op threads (1: on a shared, loaded CPU more threads spin and distort timings)')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    torch.manual_seed(0)
    model = DTNet2D(width=a.width, max_iters=a.iters)
    x, y = make_mazes(a.batch, a.size, seed=0)
    fwd = lambda m, x: m(x, iters=m.max_iters)
    loss_fn = lambda m, x, y: F.cross_entropy(fwd(m, x), y)
    print(f"DTNet2D width {a.width} ({sum(p.numel() for p in model.parameters()):,} params), batch {a.batch} "
          f"{a.size}x{a.size} mazes ({x.shape[-1]}x{x.shape[-1]} px), {a.iters} iterations, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads; load before: {os.getloadavg()}")

    def make_step(m):
        opt = torch.optim.Adam(m.parameters(), lr=1e-3, weight_decay=2e-4)
        def step():
            t = clock()
            opt.zero_grad(set_to_none=True)
            loss_fn(m, x, y).backward()
            opt.step()
            return clock() - t
        return opt, step

    # masked vs unmasked training step, alternating
    dense, sparse = copy.deepcopy(model), copy.deepcopy(model)
    _, step_d = make_step(dense)
    opt_s, step_s = make_step(sparse)
    mask = prune(sparse, 'random', a.density)
    handle = mask.attach(sparse, opt_s)
    step_d(); step_s()                                   # warm-up
    td, ts = [], []
    for _ in range(a.steps):
        td.append(step_d()); ts.append(step_s())
    assert all((sparse.get_parameter(n)[~m] == 0).all() for n, m in mask.items())
    handle.remove()
    t_step = statistics.median(td)
    print(f"training step: unmasked {t_step:.3f} s, masked {statistics.median(ts):.3f} s "
          f"(median of {a.steps}); masked/unmasked = {statistics.median(ts) / t_step:.3f} (target <= 1.05)")

    run_steps = 50 * 50_000 // 50
    rows = []
    for crit in a.criteria.split(','):
        t, w = clock(), time.perf_counter()
        m = prune(model, crit, a.density, (x, y), loss_fn=loss_fn, forward_fn=fwd)
        dt, wall = clock() - t, time.perf_counter() - w
        assert m.kept() == round(a.density * m.numel())
        rows.append((crit, CRITERIA[crit].iterations, dt, dt / t_step, TARGETS.get(crit), dt / (run_steps * t_step)))
        print(f"  {crit}: {dt:.2f} s CPU, {wall:.2f} s wall", flush=True)

    print(f"\n| criterion | rounds | CPU time (s) | x training step | target | fraction of a 50-epoch run |")
    print("|---|---|---|---|---|---|")
    for c, r, dt, x_, tg, fr in rows:
        print(f"| {c} | {r} | {dt:.2f} | {x_:.2f} | {'<= %gx' % tg if tg else '-'} | {fr:.2e} |")
    print(f"\none training step: {t_step:.3f} s; masked/unmasked step: {statistics.median(ts) / t_step:.3f}; "
          f"load after: {os.getloadavg()}")


if __name__ == '__main__':
    main()
