"""Pooling, normalization and residual-add goldens through autograd (discovered by
generate_goldens.py): two topics, pool.h (F.max_pool2d, F.avg_pool2d, F.adaptive_avg_pool2d(1),
residual add) and norm.h (F.batch_norm in training and evaluation with the updated running
statistics, F.layer_norm, F.instance_norm).

Pooling cases cover overlapping and strided windows, symmetric padding (PyTorch's own padding)
and asymmetric padding (through F.pad: -inf for max, zeros for average counting the pads, and a
sum over a count for average without them), dilation, both average divisors, batch 1 to 3.
Normalization cases cover batch 1 and 3, odd sizes, feature vectors, more channels than one
block of groups (17), with and without affine parameters, other eps and momentum values.
Every tensor is NCHW (PyTorch's order); the C++ tests run each case in both layouts.
"""

import numpy as np
import torch
import torch.nn.functional as F

from depthwise_goldens import window_cpp  # the Window2d initializer, shared with the depthwise topic
from fixture_writer import FixtureHeader, cpp_bool, designated, hex_float
from golden_inputs import f32, numpy_of, stream, tensor


def shape_cpp(shape):
    n, c, h, w = shape
    return designated(n=n, c=c, h=h, w=w)


def count(shape):
    return int(np.prod(shape))


# ---------------------------------------------------------------------------------------------
# Pooling

# name, kind, (n, c, h, w), (kh, kw), (sh, sw), (top, bottom, left, right), (dh, dw), count_include_pad
POOL_CASES = [
    ("max_k2_s2", "max", (2, 3, 6, 5), (2, 2), (2, 2), (0, 0, 0, 0), (1, 1), True),
    ("max_k3_s1_pad1", "max", (1, 2, 5, 6), (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), True),
    ("max_k3x2_s2x1_pad_asym_dil2x1", "max", (2, 2, 7, 5), (3, 2), (2, 1), (1, 0, 0, 1), (2, 1), True),
    ("max_k2x3_s1x2_pad1_dil1x2", "max", (1, 3, 4, 7), (2, 3), (1, 2), (1, 1, 1, 1), (1, 2), True),
    ("avg_k3_s2_pad1_include_pad", "average", (2, 2, 7, 6), (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), True),
    ("avg_k3_s2_pad1_exclude_pad", "average", (2, 2, 7, 6), (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), False),
    ("avg_k2x3_s1x2_pad_asym_exclude_pad", "average", (1, 3, 4, 7), (2, 3), (1, 2), (1, 0, 0, 2), (1, 1), False),
    ("avg_k3x2_s2x1_pad_asym_include_pad", "average", (3, 2, 5, 4), (3, 2), (2, 1), (2, 0, 1, 0), (1, 1), True),
    ("avg_k2_s2", "average", (1, 3, 6, 6), (2, 2), (2, 2), (0, 0, 0, 0), (1, 1), True),
]

GLOBAL_POOL_SHAPES = [(1, 3, 5, 4), (3, 2, 7, 5), (2, 17, 2, 3)]
RESIDUAL_SHAPES = [(2, 3, 4, 5), (1, 1, 1, 1)]


def pool(x, kind, kernel, stride, pad, dilation, count_include_pad):
    """PyTorch's pooling with (top, bottom, left, right) padding: its own padding where symmetric,
    else F.pad first (-inf for max; zeros for average, which then counts them, or divides a sum by
    the count of inputs in each window when the pads are not counted)."""
    top, bottom, left, right = pad
    symmetric = top == bottom and left == right
    if kind == "max":
        if symmetric:
            return F.max_pool2d(x, kernel, stride, padding=(top, left), dilation=dilation)
        padded = F.pad(x, (left, right, top, bottom), value=-float("inf"))
        return F.max_pool2d(padded, kernel, stride, dilation=dilation)
    if symmetric:
        return F.avg_pool2d(x, kernel, stride, padding=(top, left), count_include_pad=count_include_pad)
    padded = F.pad(x, (left, right, top, bottom))
    if count_include_pad:
        return F.avg_pool2d(padded, kernel, stride)
    total = F.avg_pool2d(padded, kernel, stride, divisor_override=1)
    inputs = F.avg_pool2d(F.pad(torch.ones_like(x), (left, right, top, bottom)), kernel, stride, divisor_override=1)
    return total / inputs


def fixture_pool():
    h = FixtureHeader("pool", "Pooling (max, average, global average) and residual add, forward and input grad,\n"
                      "PyTorch float32.", cases_header="golden/pool_norm_cases.h")
    rows = []
    for i, (name, kind, shape, kernel, stride, pad, dilation, include) in enumerate(POOL_CASES):
        seed = 7000 + i
        x = tensor(stream(seed, 0, count(shape)), *shape).requires_grad_()
        y = pool(x, kind, kernel, stride, pad, dilation, include)
        y.backward(tensor(stream(seed, 1, y.numel()), *y.shape))
        rows.append(designated(
            name=f'"{name}"', seed=f"{seed}u", shape=shape_cpp(shape), kind=f"PoolKind::{kind}",
            window=window_cpp(kernel, stride, pad, dilation), count_include_pad=cpp_bool(include),
            y=h.floats(f"{name}_y", numpy_of(y)), input_grad=h.floats(f"{name}_input_grad", numpy_of(x.grad))))
    h.table("PoolCase", "kPoolCases", rows)

    rows = []
    for i, shape in enumerate(GLOBAL_POOL_SHAPES):
        seed = 7100 + i
        name = "global_avg_b{}_c{}_h{}_w{}".format(*shape)
        x = tensor(stream(seed, 0, count(shape)), *shape).requires_grad_()
        y = F.adaptive_avg_pool2d(x, 1)
        y.backward(tensor(stream(seed, 1, y.numel()), *y.shape))
        rows.append(designated(
            name=f'"{name}"', seed=f"{seed}u", shape=shape_cpp(shape), y=h.floats(f"{name}_y", numpy_of(y)),
            input_grad=h.floats(f"{name}_input_grad", numpy_of(x.grad))))
    h.table("GlobalPoolCase", "kGlobalPoolCases", rows)

    rows = []
    for i, shape in enumerate(RESIDUAL_SHAPES):
        seed = 7200 + i
        name = "residual_add_b{}_c{}_h{}_w{}".format(*shape)
        a = tensor(stream(seed, 0, count(shape)), *shape).requires_grad_()
        b = tensor(stream(seed, 1, count(shape)), *shape).requires_grad_()
        y = a + b
        y.backward(tensor(stream(seed, 2, count(shape)), *shape))
        rows.append(designated(
            name=f'"{name}"', seed=f"{seed}u", shape=shape_cpp(shape), y=h.floats(f"{name}_y", numpy_of(y)),
            a_grad=h.floats(f"{name}_a_grad", numpy_of(a.grad)), b_grad=h.floats(f"{name}_b_grad", numpy_of(b.grad))))
    h.table("ResidualAddCase", "kResidualAddCases", rows)
    return h


# ---------------------------------------------------------------------------------------------
# Normalization

def parameters(seed, channels, affine):
    """gamma = 1 + stream 2 (bound 0.5) and beta = stream 3 (bound 0.5), as leaf tensors, or None."""
    if not affine:
        return None, None
    gamma = tensor(stream(seed, 2, channels, 0.5) + f32(1), channels).requires_grad_()
    beta = tensor(stream(seed, 3, channels, 0.5), channels).requires_grad_()
    return gamma, beta


def grad_or_null(h, name, t):
    return h.floats(name, numpy_of(t.grad)) if t is not None else "nullptr"


# name, (n, c, h, w), mode, affine, eps, momentum
BATCH_NORM_CASES = [
    ("batch_norm_training", (2, 3, 4, 5), "training", True, 1e-5, 0.1),
    ("batch_norm_training_b1", (1, 4, 3, 5), "training", True, 1e-5, 0.1),
    ("batch_norm_training_plain_eps_0_001_momentum_0_3", (3, 2, 5, 3), "training", False, 1e-3, 0.3),
    ("batch_norm_training_c17", (2, 17, 2, 3), "training", True, 1e-5, 0.1),
    ("batch_norm_evaluation", (2, 3, 4, 5), "evaluation", True, 1e-5, 0.1),
    ("batch_norm_evaluation_plain_b1", (1, 2, 3, 3), "evaluation", False, 1e-5, 0.1),
]

# name, (n, c, h, w), affine, eps: normalized over each sample's C × H × W
LAYER_NORM_CASES = [
    ("layer_norm_features", (3, 7, 1, 1), True, 1e-5),
    ("layer_norm", (2, 3, 4, 5), True, 1e-5),
    ("layer_norm_plain_b1_eps_0_001", (1, 2, 3, 3), False, 1e-3),
    ("layer_norm_b3", (3, 5, 2, 3), True, 1e-5),
]

# name, (n, c, h, w), affine, eps
INSTANCE_NORM_CASES = [
    ("instance_norm", (2, 3, 4, 5), True, 1e-5),
    ("instance_norm_plain_b1", (1, 4, 3, 5), False, 1e-5),
    ("instance_norm_c17_eps_0_001", (3, 17, 2, 3), True, 1e-3),
]


def fixture_norm():
    h = FixtureHeader("norm", "BatchNorm2d (training and evaluation, running statistics), LayerNorm and\n"
                      "InstanceNorm2d, forward, gamma and beta grads and input grad, PyTorch float32.",
                      cases_header="golden/pool_norm_cases.h")
    rows = []
    for i, (name, shape, mode, affine, eps, momentum) in enumerate(BATCH_NORM_CASES):
        seed = 7300 + i
        channels = shape[1]
        x = tensor(stream(seed, 0, count(shape)), *shape).requires_grad_()
        gamma, beta = parameters(seed, channels, affine)
        running_mean = tensor(stream(seed, 4, channels, 0.5), channels)
        running_var = tensor(stream(seed, 5, channels, 0.5) + f32(1), channels)
        y = F.batch_norm(x, running_mean, running_var, gamma, beta, training=mode == "training",
                         momentum=float(f32(momentum)), eps=float(f32(eps)))
        y.backward(tensor(stream(seed, 1, count(shape)), *shape))
        rows.append(designated(
            name=f'"{name}"', seed=f"{seed}u", shape=shape_cpp(shape), mode=f"NormMode::{mode}",
            affine=cpp_bool(affine), eps=hex_float(eps), momentum=hex_float(momentum),
            y=h.floats(f"{name}_y", numpy_of(y)),
            running_mean=h.floats(f"{name}_running_mean", numpy_of(running_mean)),
            running_var=h.floats(f"{name}_running_var", numpy_of(running_var)),
            gamma_grad=grad_or_null(h, f"{name}_gamma_grad", gamma),
            beta_grad=grad_or_null(h, f"{name}_beta_grad", beta),
            input_grad=h.floats(f"{name}_input_grad", numpy_of(x.grad))))
    h.table("BatchNormCase", "kBatchNormCases", rows)

    rows = []
    for i, (name, shape, affine, eps) in enumerate(LAYER_NORM_CASES):
        seed = 7400 + i
        features = count(shape[1:])
        x = tensor(stream(seed, 0, count(shape)), *shape).requires_grad_()
        gamma, beta = parameters(seed, features, affine)
        per_sample = tuple(shape[1:])
        y = F.layer_norm(x, per_sample, gamma.view(per_sample) if affine else None,
                         beta.view(per_sample) if affine else None, eps=float(f32(eps)))
        y.backward(tensor(stream(seed, 1, count(shape)), *shape))
        rows.append(designated(
            name=f'"{name}"', seed=f"{seed}u", shape=shape_cpp(shape), affine=cpp_bool(affine), eps=hex_float(eps),
            y=h.floats(f"{name}_y", numpy_of(y)), gamma_grad=grad_or_null(h, f"{name}_gamma_grad", gamma),
            beta_grad=grad_or_null(h, f"{name}_beta_grad", beta),
            input_grad=h.floats(f"{name}_input_grad", numpy_of(x.grad))))
    h.table("LayerNormCase", "kLayerNormCases", rows)

    rows = []
    for i, (name, shape, affine, eps) in enumerate(INSTANCE_NORM_CASES):
        seed = 7500 + i
        x = tensor(stream(seed, 0, count(shape)), *shape).requires_grad_()
        gamma, beta = parameters(seed, shape[1], affine)
        y = F.instance_norm(x, weight=gamma, bias=beta, eps=float(f32(eps)))
        y.backward(tensor(stream(seed, 1, count(shape)), *shape))
        rows.append(designated(
            name=f'"{name}"', seed=f"{seed}u", shape=shape_cpp(shape), affine=cpp_bool(affine), eps=hex_float(eps),
            y=h.floats(f"{name}_y", numpy_of(y)), gamma_grad=grad_or_null(h, f"{name}_gamma_grad", gamma),
            beta_grad=grad_or_null(h, f"{name}_beta_grad", beta),
            input_grad=h.floats(f"{name}_input_grad", numpy_of(x.grad))))
    h.table("InstanceNormCase", "kInstanceNormCases", rows)
    return h


TOPICS = [("pool.h", fixture_pool), ("norm.h", fixture_norm)]
