"""Depthwise Conv2D goldens: forward, weight grad, bias grad and input grad of F.conv2d with
groups = channels, through autograd (discovered by generate_goldens.py).

Cases cover DS-CNN's depthwise layer (3×3, stride 1, pad 1 over 25×5; 64 channels there, 1 or 2
here to keep the fixture small), stride 2 with symmetric and TensorFlow-style asymmetric padding,
larger and non-square kernels, dilation, a strided 1×1 window whose skipped inputs get no
gradient, and every fused activation.
"""

import torch.nn.functional as F

from fixture_writer import FixtureHeader, cpp_bool, designated, hex_float
from golden_inputs import DEFAULT_LEAKY_SLOPE, apply_activation, numpy_of, stream, tensor

# name, batch, channels, in_h, in_w, (kh, kw), (sh, sw), (top, bottom, left, right), (dh, dw), bias, act
CASES = [
    ("ds_cnn_k3x3_s1_pad1_25x5_relu", 1, 2, 25, 5, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), True, "relu"),
    ("ds_cnn_k3x3_s1_pad1_25x5_b2_nobias", 2, 1, 25, 5, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), False, "none"),
    ("k3x3_s2_pad1", 1, 3, 9, 8, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), True, "none"),
    ("k3x3_s2_pad_asym_b2_leaky_relu", 2, 2, 8, 7, (3, 3), (2, 2), (0, 1, 0, 1), (1, 1), True, "leaky_relu"),
    ("k5x5_s1_pad2_tanh", 1, 2, 7, 6, (5, 5), (1, 1), (2, 2, 2, 2), (1, 1), True, "tanh"),
    ("k3x3_s1_dil2_pad2_sigmoid", 1, 2, 9, 9, (3, 3), (1, 1), (2, 2, 2, 2), (2, 2), False, "sigmoid"),
    ("k10x4_s2_pad_asym", 1, 2, 13, 7, (10, 4), (2, 2), (4, 5, 1, 2), (1, 1), True, "none"),
    ("k1x1_s2_skipped_inputs", 1, 3, 7, 7, (1, 1), (2, 2), (0, 0, 0, 0), (1, 1), True, "none"),
    ("k2x3_s3x2_dil2x1_pad_asym_b2", 2, 3, 8, 9, (2, 3), (3, 2), (1, 0, 2, 1), (2, 1), True, "none"),
    ("k3x1_s1x3_pad_rows", 1, 3, 6, 10, (3, 1), (1, 3), (1, 1, 0, 0), (1, 1), False, "relu"),
]


def depthwise_golden(seed, batch, channels, in_h, in_w, kernel, stride, pad, dilation, has_bias, act, slope):
    kh, kw = kernel
    top, bottom, left, right = pad
    x = tensor(stream(seed, 0, batch * channels * in_h * in_w), batch, channels, in_h, in_w).requires_grad_()
    w = tensor(stream(seed, 1, channels * kh * kw), channels, 1, kh, kw).requires_grad_()
    b = tensor(stream(seed, 2, channels), channels).requires_grad_() if has_bias else None
    z = F.conv2d(F.pad(x, (left, right, top, bottom)), w, b, stride=stride, dilation=dilation, groups=channels)
    y = apply_activation(z, act, slope)
    dy = tensor(stream(seed, 3, y.numel()), *y.shape)
    y.backward(dy)
    return numpy_of(y), numpy_of(w.grad), numpy_of(b.grad) if has_bias else None, numpy_of(x.grad)


def window_cpp(kernel, stride, pad, dilation):
    return designated(
        kernel_h=kernel[0], kernel_w=kernel[1], stride_h=stride[0], stride_w=stride[1],
        pad=designated(top=pad[0], bottom=pad[1], left=pad[2], right=pad[3]),
        dilation_h=dilation[0], dilation_w=dilation[1])


def fixture_depthwise():
    h = FixtureHeader("depthwise",
                      "Depthwise Conv2D steps (forward, weight grad, bias grad, input grad), PyTorch float32.",
                      cases_header="golden/depthwise_cases.h")
    rows = []
    for i, (name, batch, channels, in_h, in_w, kernel, stride, pad, dilation, has_bias, act) in enumerate(CASES):
        seed = 6000 + i
        y, dw, db, dx = depthwise_golden(seed, batch, channels, in_h, in_w, kernel, stride, pad, dilation,
                                         has_bias, act, DEFAULT_LEAKY_SLOPE)
        rows.append(designated(
            name=f'"{name}"', seed=f"{seed}u", batch=batch, channels=channels, in_h=in_h, in_w=in_w,
            window=window_cpp(kernel, stride, pad, dilation), has_bias=cpp_bool(has_bias),
            act=f"Activation::{act}", slope=hex_float(DEFAULT_LEAKY_SLOPE),
            y=h.floats(f"{name}_y", y), weight_grad=h.floats(f"{name}_weight_grad", dw),
            bias_grad=h.floats(f"{name}_bias_grad", db) if has_bias else "nullptr",
            input_grad=h.floats(f"{name}_input_grad", dx)))
    h.table("DepthwiseCase", "kDepthwiseCases", rows)
    return h


TOPICS = [("depthwise.h", fixture_depthwise)]
