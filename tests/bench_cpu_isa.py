"""Does pinning the CPU instruction set make CPU runs bit-identical across x86 machines, and at what cost?

The first epoch of the quick maze run (SNIP, density 0.9, seed 0, one thread) under several dispatch settings,
each in a fresh process (the settings are read at start-up): torch's own kernels (`ATEN_CPU_CAPABILITY`), MKL's
conditional numerical reproducibility (`MKL_CBWR`), oneDNN's instruction-set ceiling (`ONEDNN_MAX_CPU_ISA`), and
oneDNN off for convolutions. Prints each setting's epoch-1 loss (exactly, as a float's hex) and seconds, and
which settings agree. Compare the loss of a setting with the same setting's loss on another machine: a setting
that gives the same bits on both is the switch to use.

Usage: python tests/bench_cpu_isa.py [--epochs 1]

Measured 2026-12-01 on the project's 2-core Intel Xeon (AVX-512; two other training runs sharing the cores, so the
times are rough), epoch-1 loss of the quick maze run (committed: 0.6264975674):

    default (ATen AVX512, MKL and oneDNN their own choice)   0.6264975674   49 s/epoch   the committed run, bit for bit
    ATEN_CPU_CAPABILITY=avx2                                 0.6264975674   x1.6         same bits: ATen's own kernels do not matter here
    + MKL_CBWR=AVX2 + ONEDNN_MAX_CPU_ISA=AVX2                0.6233818434   x2.5         other bits: the convolutions (oneDNN) decide
    ATen default + MKL_CBWR=COMPATIBLE + oneDNN SSE41        0.6261642434   x8.8
    oneDNN off for convolutions                              0.6193980616   x2.9

An AMD EPYC (AVX2) machine of the same kind gave 0.62551 for the default run. Pinning everything to AVX2 here gives
0.62338, not 0.62551: pinning the instruction set does not make the two machines agree (oneDNN and MKL also choose
kernels by processor, cache sizes and vendor), and it costs 1.6-8.8x. So a CPU run is reproducible bit for bit on
the same processor model and instruction set with the same thread count (meta.json records all three), not across
processors; how far a single run can swing is what the seeds and the intervals are for.
"""
import argparse, json, os, subprocess, sys, time

SETTINGS = {
    'default': {},
    'aten=avx2': {'ATEN_CPU_CAPABILITY': 'avx2'},
    'aten=avx2+mkl=avx2+onednn=avx2': {'ATEN_CPU_CAPABILITY': 'avx2', 'MKL_CBWR': 'AVX2', 'ONEDNN_MAX_CPU_ISA': 'AVX2'},
    'aten=default+mkl=compatible+onednn=sse41': {'ATEN_CPU_CAPABILITY': 'default', 'MKL_CBWR': 'COMPATIBLE', 'ONEDNN_MAX_CPU_ISA': 'SSE41'},
    'no-onednn-conv': {'DRN_BENCH_NO_MKLDNN': '1'},
}

CHILD = r'''
import json, os, sys, time, torch
if os.environ.get('DRN_BENCH_NO_MKLDNN'): torch.backends.mkldnn.enabled = False
from drn_prune.core import run_settings
from drn_prune.experiments.dtnet import dtnet_settings, dtnet_data, dtnet_model, prune_dtnet, SCORE_SAMPLES
from drn_prune.train import TrainConfig, train
s = dtnet_settings('mazes', 'quick', criterion='snip', density=0.9, seed=0, epochs=int(sys.argv[1]))
with run_settings(threads=1, flush_denormal=True, seed=0):
    tr, _ = dtnet_data(s)
    m = dtnet_model(s)
    mask = prune_dtnet(m, s, tuple(t[:SCORE_SAMPLES] for t in tr))
    mask.apply(m)
    cfg = TrainConfig.preset('mazes', 'quick', epochs=s['epochs'], train_iters=s['train_iters'], batch_size=s['batch_size'], seed=0)
    t0 = time.perf_counter()
    h = train(m, tr, cfg, mask=mask, progress=False)
    sec = (time.perf_counter() - t0) / len(h)
print(json.dumps(dict(losses=[float(v).hex() for v in h.loss], loss1=float(h.loss.iloc[0]), seconds_per_epoch=sec,
                      capability=torch.backends.cpu.get_cpu_capability())))
'''

def main():
    a = argparse.ArgumentParser(description=__doc__.splitlines()[0]); a.add_argument('--epochs', type=int, default=1)
    args = a.parse_args()
    rows = {}
    for name, env in SETTINGS.items():
        e = {**os.environ, 'OMP_NUM_THREADS': '1', **env}
        r = subprocess.run([sys.executable, '-c', CHILD, str(args.epochs)], env=e, capture_output=True, text=True)
        if r.returncode: print(f'{name}: failed\n{r.stderr[-2000:]}'); continue
        rows[name] = json.loads(r.stdout.strip().splitlines()[-1])
        print(f"{name:45s} capability {rows[name]['capability']:8s} epoch-1 loss {rows[name]['loss1']:.10f} "
              f"({rows[name]['losses'][0]})  {rows[name]['seconds_per_epoch']:.1f} s/epoch", flush=True)
    base = rows.get('default')
    if base:
        for name, r in rows.items():
            print(f"{name:45s} same bits as default: {r['losses'] == base['losses']};  time x{r['seconds_per_epoch'] / base['seconds_per_epoch']:.2f}")

if __name__ == '__main__': main()
