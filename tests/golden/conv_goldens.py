"""Conv2D and ConvTranspose2D goldens: forward, weight grad, bias grad and input grad of F.conv2d
and F.conv_transpose2d through autograd (discovered by generate_goldens.py).

Conv2D cases cover a pointwise 1×1, 3×3 with padding, a ResNet-style 3×3 stride 2 pad 1, DS-CNN's
first layer scaled down (10×4, stride 2, TensorFlow's asymmetric "same" padding, one input
channel), stride 2 with asymmetric padding and dilation 2 (inputs no window reads), a stride
larger than the kernel, a strided padded 1×1, non-square dilation, single channels and primes,
batch 1 to 3 and every fused activation. ConvTranspose2D cases cover the decoder upsampling
shapes (3×3 stride 2 pad 1 with output_padding 1, 4×4 stride 2 pad 1), 1×1, output_padding at
the stride (allowed below the dilation), asymmetric padding and the 10×4 window.
"""

import torch
import torch.nn.functional as F

from depthwise_goldens import window_cpp  # the Window2d initializer, shared with the depthwise topic
from fixture_writer import FixtureHeader, cpp_bool, designated, hex_float
from golden_inputs import DEFAULT_LEAKY_SLOPE, apply_activation, numpy_of, stream, tensor

# name, batch, in, out, in_h, in_w, (kh, kw), (sh, sw), (top, bottom, left, right), (dh, dw), bias, act
CONV_CASES = [
    ("pointwise_k1x1_c8_o6_b2_relu", 2, 8, 6, 2, 3, (1, 1), (1, 1), (0, 0, 0, 0), (1, 1), True, "relu"),
    ("k3x3_pad1_c2_o4", 1, 2, 4, 5, 5, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), True, "none"),
    ("resnet_k3x3_s2_pad1_c3_o4_relu", 1, 3, 4, 7, 7, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), True, "relu"),
    ("ds_cnn_k10x4_s2_pad_asym_15x10", 1, 1, 3, 15, 10, (10, 4), (2, 2), (4, 5, 1, 1), (1, 1), True, "relu"),
    ("k3x3_s2_pad_asym_dil2_b2", 2, 2, 3, 9, 8, (3, 3), (2, 2), (1, 0, 2, 1), (2, 2), True, "none"),
    ("k5x5_c1_o1_sigmoid", 1, 1, 1, 6, 6, (5, 5), (1, 1), (0, 0, 0, 0), (1, 1), True, "sigmoid"),
    ("k2x3_s3_gaps_tanh", 1, 2, 2, 7, 8, (2, 3), (3, 3), (0, 0, 0, 0), (1, 1), True, "tanh"),
    ("k3x1_s1x2_dil3x1_pad_asym_leaky_relu", 1, 2, 4, 10, 5, (3, 1), (1, 2), (2, 2, 0, 1), (3, 1), True,
     "leaky_relu"),
    ("k1x1_s2_pad1_b2", 2, 3, 5, 4, 3, (1, 1), (2, 2), (1, 1, 1, 1), (1, 1), True, "none"),
    ("k3x3_c3_o3_nobias", 1, 3, 3, 4, 4, (3, 3), (1, 1), (0, 0, 0, 0), (1, 1), False, "none"),
    ("k2x2_s2_pad_asym_c5_o7", 1, 5, 7, 5, 5, (2, 2), (2, 2), (0, 1, 0, 1), (1, 1), True, "none"),
    ("pointwise_k1x1_c1_o1_b3", 3, 1, 1, 3, 3, (1, 1), (1, 1), (0, 0, 0, 0), (1, 1), True, "none"),
]

# name, batch, in, out, in_h, in_w, (kh, kw), (sh, sw), (top, bottom, left, right), (dh, dw), (oph, opw), bias
CONV_TRANSPOSE_CASES = [
    ("decoder_k3x3_s2_pad1_outpad1", 1, 4, 3, 3, 3, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), (1, 1), True),
    ("dcgan_k4x4_s2_pad1", 1, 3, 2, 3, 3, (4, 4), (2, 2), (1, 1, 1, 1), (1, 1), (0, 0), True),
    ("pointwise_k1x1_c5_o3", 1, 5, 3, 3, 4, (1, 1), (1, 1), (0, 0, 0, 0), (1, 1), (0, 0), True),
    ("k3x3_dil2_outpad1_at_stride", 1, 2, 2, 4, 3, (3, 3), (1, 1), (0, 0, 0, 0), (2, 2), (1, 0), True),
    ("k10x4_s2_pad_asym_outpad1", 1, 2, 1, 5, 3, (10, 4), (2, 2), (4, 5, 1, 1), (1, 1), (1, 1), True),
    ("k2x3_s3_outpad2x1_nobias", 1, 2, 3, 2, 2, (2, 3), (3, 3), (0, 0, 0, 0), (1, 1), (2, 1), False),
    ("k3x3_s2_pad_asym_dil2_outpad1_b2", 2, 3, 2, 2, 3, (3, 3), (2, 2), (1, 0, 2, 1), (2, 2), (1, 1), True),
]


def conv_golden(seed, batch, cin, cout, in_h, in_w, kernel, stride, pad, dilation, has_bias, act, slope):
    top, bottom, left, right = pad
    x = tensor(stream(seed, 0, batch * cin * in_h * in_w), batch, cin, in_h, in_w).requires_grad_()
    w = tensor(stream(seed, 1, cout * cin * kernel[0] * kernel[1]), cout, cin, *kernel).requires_grad_()
    b = tensor(stream(seed, 2, cout), cout).requires_grad_() if has_bias else None
    z = F.conv2d(F.pad(x, (left, right, top, bottom)), w, b, stride=stride, dilation=dilation)
    y = apply_activation(z, act, slope)
    dy = tensor(stream(seed, 3, y.numel()), *y.shape)
    y.backward(dy)
    return numpy_of(y), numpy_of(w.grad), numpy_of(b.grad) if has_bias else None, numpy_of(x.grad)


def conv_transpose(x, w, b, stride, pad, dilation, output_pad):
    """F.conv_transpose2d with (top, bottom, left, right) padding: PyTorch's own call where the
    padding is symmetric; otherwise the unpadded output cropped by the padding, with output_pad
    zero rows and columns appended, plus the bias."""
    top, bottom, left, right = pad
    if top == bottom and left == right:
        return F.conv_transpose2d(x, w, b, stride=stride, padding=(top, left), output_padding=output_pad,
                                  dilation=dilation)
    full = F.conv_transpose2d(x, w, None, stride=stride, dilation=dilation)
    y = F.pad(full, (-left, output_pad[1] - right, -top, output_pad[0] - bottom))
    return y if b is None else y + b.view(1, -1, 1, 1)


def check_conv_transpose_route():
    """The cropping route agrees with PyTorch's own padding on symmetric cases with output_padding."""
    generator = torch.Generator().manual_seed(0)
    x, w, b = (torch.randn(*shape, generator=generator) for shape in ((2, 3, 4, 5), (3, 2, 3, 3), (2,)))
    for stride, pad, output_pad in (((2, 2), 1, (1, 1)), ((2, 3), 2, (1, 2)), ((1, 1), 0, (0, 0))):
        want = F.conv_transpose2d(x, w, b, stride=stride, padding=pad, output_padding=output_pad)
        full = F.conv_transpose2d(x, w, None, stride=stride)
        got = F.pad(full, (-pad, output_pad[1] - pad, -pad, output_pad[0] - pad)) + b.view(1, -1, 1, 1)
        assert torch.allclose(got, want, atol=1e-5), "the asymmetric-padding route disagrees with PyTorch"


def conv_transpose_golden(seed, batch, cin, cout, in_h, in_w, kernel, stride, pad, dilation, output_pad, has_bias):
    for op, s, d in zip(output_pad, stride, dilation):
        assert op < max(s, d), "PyTorch's rule: output_padding below the stride or the dilation"
    x = tensor(stream(seed, 0, batch * cin * in_h * in_w), batch, cin, in_h, in_w).requires_grad_()
    w = tensor(stream(seed, 1, cin * cout * kernel[0] * kernel[1]), cin, cout, *kernel).requires_grad_()
    b = tensor(stream(seed, 2, cout), cout).requires_grad_() if has_bias else None
    y = conv_transpose(x, w, b, stride, pad, dilation, output_pad)
    for axis, size in ((0, in_h), (1, in_w)):  # layers/conv_transpose2d.h's output size
        want = ((size - 1) * stride[axis] - pad[2 * axis] - pad[2 * axis + 1] + dilation[axis] * (kernel[axis] - 1)
                + output_pad[axis] + 1)
        assert y.shape[2 + axis] == want, f"output size {tuple(y.shape)} against {want} on axis {axis}"
    dy = tensor(stream(seed, 3, y.numel()), *y.shape)
    y.backward(dy)
    return numpy_of(y), numpy_of(w.grad), numpy_of(b.grad) if has_bias else None, numpy_of(x.grad)


def fixture_conv():
    check_conv_transpose_route()
    h = FixtureHeader("conv", "Conv2D and ConvTranspose2D steps (forward, weight grad, bias grad, input grad), "
                      "PyTorch float32.", cases_header="golden/conv_cases.h")
    rows = []
    for i, (name, batch, cin, cout, in_h, in_w, kernel, stride, pad, dilation, has_bias, act) in enumerate(CONV_CASES):
        seed = 7000 + i
        y, dw, db, dx = conv_golden(seed, batch, cin, cout, in_h, in_w, kernel, stride, pad, dilation, has_bias, act,
                                    DEFAULT_LEAKY_SLOPE)
        rows.append(designated(
            name=f'"{name}"', seed=f"{seed}u", batch=batch, in_channels=cin, out_channels=cout, in_h=in_h, in_w=in_w,
            window=window_cpp(kernel, stride, pad, dilation), has_bias=cpp_bool(has_bias),
            act=f"Activation::{act}", slope=hex_float(DEFAULT_LEAKY_SLOPE),
            y=h.floats(f"{name}_y", y), weight_grad=h.floats(f"{name}_weight_grad", dw),
            bias_grad=h.floats(f"{name}_bias_grad", db) if has_bias else "nullptr",
            input_grad=h.floats(f"{name}_input_grad", dx)))
    h.table("Conv2dCase", "kConv2dCases", rows)

    rows = []
    for i, (name, batch, cin, cout, in_h, in_w, kernel, stride, pad, dilation, output_pad, has_bias) in enumerate(
            CONV_TRANSPOSE_CASES):
        seed = 7100 + i
        y, dw, db, dx = conv_transpose_golden(seed, batch, cin, cout, in_h, in_w, kernel, stride, pad, dilation,
                                              output_pad, has_bias)
        name = f"transposed_{name}"
        rows.append(designated(
            name=f'"{name}"', seed=f"{seed}u", batch=batch, in_channels=cin, out_channels=cout, in_h=in_h, in_w=in_w,
            window=window_cpp(kernel, stride, pad, dilation), output_pad_h=output_pad[0], output_pad_w=output_pad[1],
            has_bias=cpp_bool(has_bias), y=h.floats(f"{name}_y", y), weight_grad=h.floats(f"{name}_weight_grad", dw),
            bias_grad=h.floats(f"{name}_bias_grad", db) if has_bias else "nullptr",
            input_grad=h.floats(f"{name}_input_grad", dx)))
    h.table("ConvTranspose2dCase", "kConvTranspose2dCases", rows)
    return h


TOPICS = [("conv.h", fixture_conv)]
