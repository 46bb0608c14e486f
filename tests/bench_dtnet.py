"""Benchmarks for drn_prune.models.dtnet / train / evaluate against the published way of doing it.

    python tests/bench_dtnet.py                # everything (a few minutes on 2 shared CPU cores)
    python tests/bench_dtnet.py --only train2d --batch2d 10 --draws 3
    python tests/bench_dtnet.py --only memory

1. Training-step throughput (samples/s): our `progressive_backward` (one forward pass, n iterations without
   autograd, no full-depth pass when alpha = 1) against a re-implementation of the published step
   (`aks2203/deep-thinking` `train_progressive` + `get_output_for_prog_loss` + the published forward, which
   reads the head out at every iteration into an all-outputs tensor, runs the n iterations with autograd then
   detaches, and always runs the full-depth pass with autograd). Both use the same model weights, the same
   fixed (n, k) draws and the same Adam step; they are interleaved draw by draw so that load changes hit both.
   DTNet-2D w=128 on 9x9 mazes (24x24 images), alpha 0.01, 30 iterations; DTNet-1D w=400 on 32-bit prefix
   sums, alpha 1, clip 1, 30 iterations.
2. Peak memory (VmHWM of a fresh subprocess per variant) of testing 25 59x59 mazes (124x124 images): ours
   streams, the published test keeps all outputs [B, iters, 2, H, W].
3. The channels_last switch (CPU), same step.

Results on the project's 2-core CPU shared with other jobs (2026-11-21; `uptime` load in brackets):
- DTNet-2D step, batch 5 (a batch of 50 takes minutes per step here), same (n, k) draws for all variants:
  ours/published 1.18x, 2.07x, 1.40x in three runs [load ~10, ~3, ~5.4]; ours+channels_last/published
  1.58x, 1.80x, 1.78x. `--only train2d --draws 3` (last run: published 0.142, ours 0.199, ours+channels_last
  0.254 samples/s).
- DTNet-1D step, batch 50, alpha 1: ours/published 2.37x [load ~7] (`--only train1d --draws 3`).
- Memory, 25 59x59 mazes: width 16, ours is flat (435.0 MB at 100 iterations, 435.1 MB at 300, with the
  fixed mmap threshold), published 788 MB at 100 and 1489 MB at 300; width 128, batch 25: ours 1441 MB
  against >= 4374 MB for the published test at 1000 iterations (3.0x; 3.6x above the 292 MB baseline
  process); the same 25 mazes streamed in batches of 5: 542 MB (8.1x; 16.3x above baseline).
"""
from __future__ import annotations
import argparse, json, os, subprocess, sys, time
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from drn_prune.models.dtnet import DTNet1D, DTNet2D, prefix_sums_inputs
from drn_prune.core import to_channels_last
from drn_prune.train import progressive_backward, draw_nk
from drn_prune.evaluate import accuracy_by_iteration


# ---------------------------------------------------------------- the published way (re-implemented)
def published_forward(net, x, iters_to_do, interim_thought=None):
    "The published DTNet forward in training mode: head at every iteration, all outputs stored."
    initial_thought = net.projection(x)
    if interim_thought is None: interim_thought = initial_thought
    all_outputs = torch.zeros((x.size(0), iters_to_do, 2, *x.shape[2:]), device=x.device)
    out = None
    for i in range(iters_to_do):
        interim_thought = net.recur_block(torch.cat([interim_thought, x], 1))
        out = net.head(interim_thought)
        all_outputs[:, i] = out
    if net.training: return out, interim_thought
    return all_outputs


def published_step(net, opt, x, y, n, k, alpha, M, mazes, clip):
    "The published `train_progressive` body for one batch, with a fixed (n, k)."
    criterion = torch.nn.CrossEntropyLoss(reduction='none')
    targets = y.view(y.size(0), -1)
    if mazes: mask = x.view(x.size(0), x.size(1), -1).max(dim=1)[0] > 0
    opt.zero_grad()
    outputs_max_iters, _ = published_forward(net, x, M)
    if alpha != 1:
        loss_max_iters = criterion(outputs_max_iters.view(outputs_max_iters.size(0), outputs_max_iters.size(1), -1), targets)
    else: loss_max_iters = torch.zeros_like(targets).float()
    if alpha != 0:
        if n > 0:
            _, interim = published_forward(net, x, n); interim = interim.detach()
        else: interim = None
        outputs, _ = published_forward(net, x, k, interim)
        loss_progressive = criterion(outputs.view(outputs.size(0), outputs.size(1), -1), targets)
    else: loss_progressive = torch.zeros_like(targets).float()
    if mazes:
        loss_max_iters = (loss_max_iters * mask)[mask > 0]; loss_progressive = (loss_progressive * mask)[mask > 0]
    loss = (1 - alpha) * loss_max_iters.mean() + alpha * loss_progressive.mean()
    loss.backward()
    if clip is not None: torch.nn.utils.clip_grad_norm_(net.parameters(), clip)
    opt.step()
    return float(loss.detach())


def our_step(net, opt, x, y, n, k, alpha, M, task, clip):
    opt.zero_grad(set_to_none=True)
    loss, _ = progressive_backward(net, x, y, n, k, alpha, M, task)
    if clip is not None: torch.nn.utils.clip_grad_norm_(net.parameters(), clip)
    opt.step()
    return float(loss)


# ---------------------------------------------------------------- throughput
def throughput(kind, batch, draws, seed=0, channels_last=True):
    torch.manual_seed(seed)
    M = 30
    if kind == '2d':
        from drn_prune.data.mazes import make_mazes
        x, y = make_mazes(batch, 9, seed=seed)
        net, alpha, clip, task = DTNet2D(width=128), 0.01, None, 'mazes'
    else:
        from drn_prune.data.prefix_sums import make_prefix_sums
        bits, y = make_prefix_sums(batch, 32, seed=seed)
        x = prefix_sums_inputs(bits)
        net, alpha, clip, task = DTNet1D(width=400), 1.0, 1.0, 'prefix_sums'
    g = torch.Generator().manual_seed(seed)
    nks = [draw_nk(M, g) for _ in range(draws)]
    state = {k: v.clone() for k, v in net.state_dict().items()}
    variants = {'published': lambda: published_step(net, opt['published'], x, y, n, k, alpha, M, kind == '2d', clip),
                'ours': lambda: our_step(net, opt['ours'], x, y, n, k, alpha, M, task, clip)}
    if channels_last and kind == '2d':
        xc = x.contiguous(memory_format=torch.channels_last)
        variants['ours+channels_last'] = lambda: our_step(net, opt['ours+channels_last'], xc, y, n, k, alpha, M, task, clip)
    opt = {v: torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=2e-4) for v in variants}
    times = {v: 0.0 for v in variants}; losses = {v: [] for v in variants}
    net.train()
    # warm-up (allocator, kernels) on a short draw
    for v, f in variants.items():
        n, k = 1, 1
        if v.endswith('channels_last'): net.to(memory_format=torch.channels_last)
        else: net.to(memory_format=torch.contiguous_format)
        f()
    for n, k in nks:
        for v, f in variants.items():
            net.load_state_dict(state)                    # same weights for every variant and draw
            if v.endswith('channels_last'): net.to(memory_format=torch.channels_last)
            else: net.to(memory_format=torch.contiguous_format)
            t = time.perf_counter(); losses[v].append(f()); times[v] += time.perf_counter() - t
    net.to(memory_format=torch.contiguous_format)
    res = {v: dict(seconds=times[v], steps=len(nks), samples_per_s=batch * len(nks) / times[v]) for v in variants}
    for v in variants:
        res[v]['loss_matches_published'] = all(abs(a - b) <= 1e-4 * max(1, abs(b)) for a, b in zip(losses[v], losses['published']))
    return nks, res


# ---------------------------------------------------------------- memory (one subprocess per variant)
def _vmhwm_mb():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM'): return int(line.split()[1]) / 1024
    return float('nan')


def mem_child(variant, width, iters, batch, threads, eval_batch=None):
    torch.set_num_threads(threads)
    from drn_prune.data.mazes import make_mazes
    x, y = make_mazes(batch, 59, seed=0)
    torch.manual_seed(0)
    net = DTNet2D(width=width).eval()
    t = time.perf_counter()
    if variant == 'ours':
        accuracy_by_iteration(net, (x, y), iters, batch_size=eval_batch or batch)
    elif variant == 'published':
        with torch.no_grad():          # the published test: all outputs, then scored per iteration
            all_outputs = published_forward(net, x, iters)
            mask = x.max(1)[0] > 0
            correct = [int(((all_outputs[:, i].argmax(1) * mask) == y).flatten(1).all(1).sum()) for i in range(iters)]
    print(json.dumps(dict(variant=variant, peak_mb=_vmhwm_mb(), seconds=time.perf_counter() - t)))


def run_child(variant, width, iters, batch, threads, eval_batch=None):
    out = subprocess.run([sys.executable, __file__, '--mem-child', variant, '--width', str(width), '--iters', str(iters),
                          '--batch', str(batch), '--threads', str(threads), '--eval-batch', str(eval_batch or batch)],
                         capture_output=True, text=True, check=True,
                         # a fixed mmap threshold keeps glibc's heap from fragmenting (without it the peak RSS of any
                         # variant grows slowly with the number of tensors freed, which is not tensor memory)
                         env={**os.environ, 'MALLOC_MMAP_THRESHOLD_': os.environ.get('MALLOC_MMAP_THRESHOLD_', '1048576')})
    return json.loads(out.stdout.strip().splitlines()[-1])


def memory(threads, small=True):
    rows = []
    B, H = 25, 124
    # (a) small width, both for real
    for width, iters in ([(16, 100), (16, 300)] if small else []):
        base = run_child('baseline', width, iters, B, threads)
        for v in ('published', 'ours'):
            r = run_child(v, width, iters, B, threads)
            rows.append(dict(width=width, iters=iters, variant=v, peak_mb=r['peak_mb'], above_baseline_mb=r['peak_mb'] - base['peak_mb'],
                             seconds=r['seconds'], all_outputs_mb=B * iters * 2 * H * H * 4 / 2**20))
    # (b) the published size: ours measured for a few iterations (it does not grow), the published all-outputs
    # tensor computed analytically (25 x 1000 x 2 x 124 x 124 float32) and added to ours
    base = run_child('baseline', 128, 2, B, threads)
    for iters, eb in ((1, B), (2, B), (2, 5)):
        r = run_child('ours', 128, iters, B, threads, eb)
        rows.append(dict(width=128, iters=iters, variant='ours' if eb == B else f'ours, batches of {eb}', peak_mb=r['peak_mb'],
                         above_baseline_mb=r['peak_mb'] - base['peak_mb'], seconds=r['seconds'], all_outputs_mb=float('nan')))
    return rows, base['peak_mb']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--only', choices=['train2d', 'train1d', 'memory', 'memory128'], default=None)
    ap.add_argument('--batch2d', type=int, default=5)
    ap.add_argument('--batch1d', type=int, default=50)
    ap.add_argument('--draws', type=int, default=2)
    ap.add_argument('--threads', type=int, default=torch.get_num_threads())
    ap.add_argument('--mem-child', default=None)
    ap.add_argument('--width', type=int, default=128); ap.add_argument('--iters', type=int, default=2)
    ap.add_argument('--batch', type=int, default=25); ap.add_argument('--eval-batch', type=int, default=None)
    a = ap.parse_args()
    if a.mem_child: return mem_child(a.mem_child, a.width, a.iters, a.batch, a.threads, a.eval_batch)
    torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, {a.threads} threads; load: {open('/proc/loadavg').read().split()[:3]}", flush=True)
    if a.only in (None, 'train2d', 'train1d'):
        for kind, batch in (('2d', a.batch2d), ('1d', a.batch1d)):
            if a.only not in (None, f'train{kind}'): continue
            t0 = time.perf_counter()
            nks, res = throughput(kind, batch, a.draws)
            name = 'DTNet-2D w=128, 9x9 mazes, alpha 0.01' if kind == '2d' else 'DTNet-1D w=400, 32-bit prefix sums, alpha 1, clip 1'
            print(f"\n== training step, {name}, M=30, batch {batch}, (n, k) draws {nks} ==")
            for v, r in res.items():
                print(f"{v:>20}: {r['samples_per_s']:7.3f} samples/s ({r['seconds']:.1f} s for {r['steps']} steps), "
                      f"same loss as published: {r['loss_matches_published']}")
            for v in res:
                if v != 'published': print(f"ratio {v} / published: {res[v]['samples_per_s'] / res['published']['samples_per_s']:.2f}x")
            print(f"({time.perf_counter() - t0:.0f} s; load now {open('/proc/loadavg').read().split()[:3]})", flush=True)
    if a.only in (None, 'memory', 'memory128'):
        t0 = time.perf_counter()
        rows, base = memory(a.threads, small=a.only != 'memory128')
        print(f"\n== peak memory (VmHWM) of testing 25 59x59 mazes (124x124 images); baseline process (torch, data, model): {base:.0f} MB ==")
        for r in rows:
            print(f"width {r['width']:>3}, {r['iters']:>4} iterations, {r['variant']:>9}: peak {r['peak_mb']:7.0f} MB, "
                  f"above baseline {r['above_baseline_mb']:7.0f} MB ({r['seconds']:.0f} s)")
        for it in ((100, 300) if a.only != 'memory128' else ()):
            p = next(r for r in rows if r['width'] == 16 and r['iters'] == it and r['variant'] == 'published')
            o = next(r for r in rows if r['width'] == 16 and r['iters'] == it and r['variant'] == 'ours')
            print(f"width 16, {it} iterations: published/ours peak {p['peak_mb'] / o['peak_mb']:.1f}x, "
                  f"above baseline {p['above_baseline_mb'] / max(o['above_baseline_mb'], 1):.1f}x")
        ours = max(r['peak_mb'] for r in rows if r['width'] == 128 and r['variant'] == 'ours')
        ours_inc = max(r['above_baseline_mb'] for r in rows if r['width'] == 128 and r['variant'] == 'ours')
        ch = next(r for r in rows if r['width'] == 128 and r['variant'] != 'ours')
        allout = 25 * 1000 * 2 * 124 * 124 * 4 / 2**20
        print(f"width 128, 1000 iterations: ours {ours:.0f} MB peak (measured at 1-2 iterations; streaming does not grow), "
              f"published >= ours + all-outputs tensor {allout:.0f} MB = {ours + allout:.0f} MB: "
              f"{(ours + allout) / ours:.1f}x total, {(ours_inc + allout) / ours_inc:.1f}x above baseline")
        print(f"  the same 25 mazes streamed in batches of 5 ({ch['peak_mb']:.0f} MB peak): published (batch 25) / ours "
              f"{(ours + allout) / ch['peak_mb']:.1f}x total, {(ours_inc + allout) / ch['above_baseline_mb']:.1f}x above baseline")
        print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == '__main__':
    main()
