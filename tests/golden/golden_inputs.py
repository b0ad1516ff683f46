"""Inputs and PyTorch helpers shared by every golden generator (generate_goldens.py and the
*_goldens.py topic modules it discovers)."""

import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import portable_rng as prng  # noqa: E402

f32 = np.float32

ACTIVATIONS = ("none", "relu", "leaky_relu", "sigmoid", "tanh")
DEFAULT_LEAKY_SLOPE = f32(0.01)


def stream(seed, index, count, bound=1.0):
    """Tensor `index` of a case: Rng(seed, index), uniform_symmetric(bound), in memory order."""
    return prng.Rng(seed, index).uniform_symmetric_array(count, bound)


def tensor(values, *shape):
    return torch.from_numpy(np.asarray(values, dtype=np.float32).reshape(shape).copy())


def apply_activation(z, kind, slope):
    if kind == "none":
        return z
    if kind == "relu":
        return torch.relu(z)
    if kind == "leaky_relu":
        return F.leaky_relu(z, negative_slope=float(slope))
    if kind == "sigmoid":
        return torch.sigmoid(z)
    if kind == "tanh":
        return torch.tanh(z)
    raise ValueError(kind)


def numpy_of(t):
    return t.detach().numpy().astype(np.float32)
