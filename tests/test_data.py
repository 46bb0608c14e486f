"Fast checks of drn_prune.data from outside the notebooks (the notebooks hold the full tests)."
import gzip, os
from pathlib import Path

import numpy as np
import pytest
import torch

from drn_prune.core import data_dir
from drn_prune.data.mazes import make_mazes, check_mazes, solve_maze, save_mazes, load_mazes, MazeDataset
from drn_prune.data.mnist import load_mnist, load_mnist1d, write_idx, MNIST_FILES
from drn_prune.data.prefix_sums import make_prefix_sums, save_prefix_sums, load_prefix_sums, PrefixSumsDataset


def test_prefix_sums_match_running_parity():
    x, y = make_prefix_sums(200, 20, seed=7)
    for row, tgt in zip(x.int().tolist(), y.tolist()):
        acc, want = 0, []
        for b in row: acc ^= b; want.append(acc)
        assert tgt == want
    assert len({tuple(r) for r in x.int().tolist()}) == 200
    with pytest.raises(ValueError, match='only 2\\*\\*3 = 8'): make_prefix_sums(9, 3)


def test_prefix_sums_files_round_trip(tmp_path):
    x, y = make_prefix_sums(50, 10, seed=0)
    save_prefix_sums(x, y, tmp_path)
    xl, yl = load_prefix_sums(10, tmp_path)
    assert torch.equal(xl, x) and torch.equal(yl, y)
    assert PrefixSumsDataset(x, y)[0][0].shape == (1, 10)
    with pytest.raises(FileNotFoundError, match='11_data.pth'): load_prefix_sums(11, tmp_path)


@pytest.mark.parametrize('size', [3, 9, 13])
def test_mazes_are_valid(size):
    x, y = make_mazes(40, size, seed=size)
    assert x.shape == (40, 3, 2 * size + 6, 2 * size + 6) and y.shape == (40, 2 * size + 6, 2 * size + 6)
    check_mazes(x, y)
    assert torch.equal(solve_maze(x[0]), y[0])
    assert torch.equal(make_mazes(40, size, seed=size)[0], x)


def test_maze_folders(tmp_path):
    x, y = make_mazes(10, 5, seed=0)
    save_mazes(x, y, 'train', tmp_path)
    xl, yl = load_mazes(5, 'train', tmp_path)
    assert torch.equal(xl, x) and torch.equal(yl, y) and len(MazeDataset(xl, yl)) == 10
    with pytest.raises(FileNotFoundError, match='maze_data_test_5'): load_mazes(5, 'test', tmp_path)


def test_mnist_corrupt_files_named(tmp_path):
    root = tmp_path / 'mnist'
    imgs, lbls = np.zeros((3, 28, 28), np.uint8), np.array([1, 2, 3], np.uint8)
    img, lbl = root / MNIST_FILES['train'][0], root / MNIST_FILES['train'][1]
    write_idx(imgs, img); write_idx(lbls, lbl)
    x, y = load_mnist('train', tmp_path)
    assert x.shape == (3, 28, 28) and y.tolist() == [1, 2, 3]
    img.write_bytes(b'not gzip')
    with pytest.raises(ValueError, match=str(img)): load_mnist('train', tmp_path)
    with gzip.open(img, 'wb') as f: f.write(b'\0\0\x08\x03' + b'\0\0\0\x03\0\0\0\x1c\0\0\0\x1c' + bytes(100))
    with pytest.raises(ValueError, match='truncated'): load_mnist('train', tmp_path)
    with pytest.raises(FileNotFoundError, match='t10k-images'): load_mnist('test', tmp_path)


@pytest.mark.skipif(not (data_dir() / 'mnist' / MNIST_FILES['test'][0]).exists(),
                    reason=f'no MNIST under {data_dir()} (set DRN_PRUNE_DATA)')
def test_real_mnist_test_split():
    x, y = load_mnist('test')
    assert x.shape == (10000, 28, 28) and x.dtype == torch.uint8 and y.dtype == torch.int64
    assert torch.bincount(y).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.mark.skipif(not (data_dir() / 'mnist1d' / 'mnist1d_data.npz').exists(),
                    reason=f'no MNIST-1D under {data_dir()} (set DRN_PRUNE_DATA)')
def test_real_mnist1d():
    d = load_mnist1d()
    assert d['x'].shape == (4000, 40) and d['x_test'].shape == (1000, 40) and d['x'].dtype == torch.float32
