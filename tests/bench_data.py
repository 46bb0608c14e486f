"""Benchmark of the data generators (a script, not a pytest test).

    python tests/bench_data.py            # the suite sizes: 50,000 9x9 + 10,000 13x13 + 1,000 59x59 mazes
    python tests/bench_data.py --quick    # a tenth of the sizes

Prints wall time and mazes/s per size and in total, the time for 10,000 distinct 32-bit prefix-sum strings,
and, as a reference measured in the same run, a plain per-maze Python randomized DFS on a sample of the mazes
(the speed-up is the ratio). The machine is shared: the load average is printed first.
"""
import argparse, os, random, time
import numpy as np
from drn_prune.data.mazes import make_mazes, check_mazes
from drn_prune.data.prefix_sums import make_prefix_sums


def python_dfs_maze(size, rng):
    "Reference: one maze by a per-maze Python randomized DFS (grid only, no image), for the speed ratio."
    c = (size + 1) // 2; g = 2 * c + 1
    grid = [[0] * g for _ in range(g)]
    start = (rng.randrange(c), rng.randrange(c)); seen = {start}; stack = [start]
    grid[2 * start[0] + 1][2 * start[1] + 1] = 1
    while stack:
        i, j = stack[-1]
        nbs = [(i + di, j + dj) for di, dj in ((-1, 0), (1, 0), (0, -1), (0, 1))
               if 0 <= i + di < c and 0 <= j + dj < c and (i + di, j + dj) not in seen]
        if not nbs: stack.pop(); continue
        ni, nj = nbs[rng.randrange(len(nbs))]
        seen.add((ni, nj)); stack.append((ni, nj))
        grid[2 * ni + 1][2 * nj + 1] = 1; grid[i + ni + 1][j + nj + 1] = 1
    return grid


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--quick', action='store_true', help='a tenth of the suite sizes')
    args = ap.parse_args()
    print(f"load average (1, 5, 15 min): {os.getloadavg()}, CPUs: {os.cpu_count()}")
    suite = [(50_000, 9), (10_000, 13), (1_000, 59)]
    if args.quick: suite = [(n // 10, s) for n, s in suite]
    total = 0.0
    for n, size in suite:
        t0 = time.perf_counter(); x, y = make_mazes(n, size, seed=0); dt = time.perf_counter() - t0
        total += dt
        check_mazes(x[:50], y[:50])      # sanity: the timed output is valid
        k = max(1, n // 50); rng = random.Random(0)
        t0 = time.perf_counter()
        for _ in range(k): python_dfs_maze(size, rng)
        ref = (time.perf_counter() - t0) / k
        print(f"mazes {size:>2}x{size:<2} n={n:>6}: {dt:6.2f} s  {n / dt:10,.0f} mazes/s   "
              f"(per-maze Python DFS, grid only: {1 / ref:8,.0f} mazes/s -> speed-up x{ref * n / dt:.1f})")
    print(f"mazes total: {total:.2f} s for {sum(n for n, _ in suite):,} mazes (budget 60 s)")
    times = []
    for seed in range(5):
        t0 = time.perf_counter(); make_prefix_sums(10_000, 32, seed=seed); times.append(time.perf_counter() - t0)
    print(f"prefix sums: 10,000 distinct 32-bit strings: median {np.median(times) * 1000:.1f} ms over 5 seeds (budget 1 s)")
    print(f"load average after: {os.getloadavg()}")


if __name__ == '__main__':
    main()
