"""Inputs and PyTorch helpers shared by every golden generator (generate_goldens.py and the
*_goldens.py topic modules it discovers)."""

import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import portable_rng as prng  # noqa: E402
from fixture_writer import cpp_bool, designated, hex_float  # noqa: E402

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


def optimizer_config_cpp(c):
    """An OptimizerConfig initializer (designated, in declaration order)."""
    return designated(
        kind=f"OptimizerKind::{c['kind']}", lr=hex_float(c["lr"]), momentum=hex_float(c.get("momentum", 0.0)),
        dampening=hex_float(c.get("dampening", 0.0)), nesterov=cpp_bool(c.get("nesterov", False)),
        weight_decay=hex_float(c.get("weight_decay", 0.0)), beta1=hex_float(c.get("beta1", 0.9)),
        beta2=hex_float(c.get("beta2", 0.999)), eps=hex_float(c.get("eps", 1e-8)))


def torch_optimizer(c, params):
    """torch.optim for a config; hyper-parameters are the float32 values the C++ side uses."""
    v = {k: float(f32(x)) for k, x in c.items() if k not in ("kind", "nesterov")}
    if c["kind"] == "sgd":
        return torch.optim.SGD(params, lr=v["lr"], momentum=v.get("momentum", 0.0),
                               dampening=v.get("dampening", 0.0), nesterov=c.get("nesterov", False),
                               weight_decay=v.get("weight_decay", 0.0))
    betas = (v.get("beta1", float(f32(0.9))), v.get("beta2", float(f32(0.999))))
    eps = v.get("eps", float(f32(1e-8)))
    cls = torch.optim.Adam if c["kind"] == "adam" else torch.optim.AdamW
    return cls(params, lr=v["lr"], betas=betas, eps=eps, weight_decay=v.get("weight_decay", 0.0))


def train_config_cpp(batch, loss, optimizer, accumulate_steps):
    return designated(batch=batch, loss=f"LossKind::{loss}", optimizer=optimizer_config_cpp(optimizer),
                      accumulate_steps=accumulate_steps)
