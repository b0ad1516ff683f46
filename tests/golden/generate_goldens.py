#!/usr/bin/python3
"""Generates the golden fixtures of utrain's tests from PyTorch.

Run from anywhere with Debian's Python, which has python3-torch:

    /usr/bin/python3 tests/golden/generate_goldens.py            # (re)writes the fixtures
    /usr/bin/python3 tests/golden/generate_goldens.py --check    # exit 1 if any is out of date

It writes one C++ header per topic under tests/golden/fixtures/ (RNG and init mirror, Linear
steps, activations, losses, optimizers, small-MLP training runs through the Trainer, and 100
steps of the MLPerf Tiny Deep AutoEncoder). Inputs are drawn with portable_rng.py, the bit-exact
mirror of core/rng.cpp, so the fixtures store seeds and PyTorch's results and the C++ tests
regenerate the inputs. Everything is float32, single-threaded and deterministic: rerunning
gives byte-identical files. The case structs are declared in tests/golden/golden_cases.h.

Topics of later layers live in their own modules, tests/golden/<topic>_goldens.py, each with a
list TOPICS = [(fixture filename, function returning a FixtureHeader)] that main() picks up, and
their case structs in tests/golden/<topic>_cases.h. Shared input helpers are in golden_inputs.py.
"""

import glob
import importlib
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import portable_rng as prng  # noqa: E402
from fixture_writer import FixtureHeader, cpp_bool, designated, hex_float  # noqa: E402
from golden_inputs import (  # noqa: E402
    ACTIVATIONS, DEFAULT_LEAKY_SLOPE, apply_activation, f32, numpy_of, optimizer_config_cpp, stream, tensor,
    torch_optimizer, train_config_cpp)

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")

# ---------------------------------------------------------------------------------------------
# RNG and initialisation mirror


def fixture_rng():
    h = FixtureHeader("rng", "Draws of core/rng.h and layers/init.h, from tests/golden/portable_rng.py.")
    rows = []
    # 2^31 + 1 rejects almost half of the raw draws, so below()'s rejection rule is exercised.
    for i, (seed, stream_id, bound, n) in enumerate(
        [(0, 0, 1.0, 10), (42, 54, 0.5, 7), (2**63 + 12345, 3, 3.0, 2**31 + 1), (7, 2**40 + 1, 0.125, 1000)]
    ):
        rng = prng.Rng(seed, stream_id)
        draws = 4
        u32 = [rng.next_u32() for _ in range(draws)]
        uni = [rng.uniform() for _ in range(draws)]
        sym = [rng.uniform_symmetric(bound) for _ in range(draws)]
        below = [rng.below(n) for _ in range(draws)]
        rows.append(designated(
            seed=f"{seed}ull", stream=f"{stream_id}ull", symmetric_bound=hex_float(bound), below_n=f"{n}u",
            draws=draws, u32=h.uints(f"rng{i}_u32", u32), uniform=h.floats(f"rng{i}_uniform", uni),
            symmetric=h.floats(f"rng{i}_symmetric", sym), below=h.uints(f"rng{i}_below", below)))
    h.table("RngCase", "kRngCases", rows)

    rows = []
    kinds = {prng.HE_UNIFORM: "he_uniform", prng.GLOROT_UNIFORM: "glorot_uniform",
             prng.PYTORCH_BIAS: "pytorch_bias", prng.ZEROS: "zeros"}
    for i, (kind, fan_in, fan_out, seed, stream_id) in enumerate(
        [(prng.HE_UNIFORM, 640, 128, 5, 0), (prng.HE_UNIFORM, 7, 13, 6, 2),
         (prng.GLOROT_UNIFORM, 128, 640, 7, 19), (prng.GLOROT_UNIFORM, 3, 5, 8, 1),
         (prng.PYTORCH_BIAS, 31, 7, 9, 3), (prng.PYTORCH_BIAS, 1, 1, 10, 0), (prng.ZEROS, 4, 4, 11, 0)]
    ):
        count = 6
        values = prng.init_fill(kind, prng.Rng(seed, stream_id), count, fan_in, fan_out)
        bound = prng.init_bound(kind, fan_in, fan_out)
        rows.append(designated(
            kind=f"InitKind::{kinds[kind]}", fan_in=fan_in, fan_out=fan_out, seed=f"{seed}u",
            stream=f"{stream_id}u", bound=hex_float(bound), count=count,
            values=h.floats(f"init{i}_values", values)))
    h.table("InitCase", "kInitCases", rows)
    return h


# ---------------------------------------------------------------------------------------------
# Linear layer steps


LINEAR_SHAPES = [  # (batch, in_features, out_features): 1 and primes on every axis
    (1, 1, 1), (1, 7, 13), (4, 13, 7), (4, 31, 13), (1, 31, 1), (4, 1, 31), (1, 13, 31), (4, 7, 7)
]
# Every activation with a bias; without a bias only where it changes the path (plain, saturating).
LINEAR_VARIANTS = [(act, True) for act in ACTIVATIONS] + [("none", False), ("sigmoid", False)]


def linear_golden(seed, batch, fin, fout, has_bias, act, slope):
    x = tensor(stream(seed, 0, batch * fin), batch, fin).requires_grad_()
    w = tensor(stream(seed, 1, fout * fin), fout, fin).requires_grad_()
    b = tensor(stream(seed, 2, fout), fout).requires_grad_() if has_bias else None
    dy = tensor(stream(seed, 3, batch * fout), batch, fout)
    y = apply_activation(F.linear(x, w, b), act, slope)
    y.backward(dy)
    return numpy_of(y), numpy_of(w.grad), numpy_of(b.grad) if has_bias else None, numpy_of(x.grad)


def fixture_linear():
    h = FixtureHeader("linear",
                      "Linear layer steps (forward, weight grad, bias grad, input grad), PyTorch float32.")
    rows = []
    seed = 1000
    for batch, fin, fout in LINEAR_SHAPES:
        for act, has_bias in LINEAR_VARIANTS:
            seed += 1
            name = f"b{batch}_in{fin}_out{fout}_{act}_{'bias' if has_bias else 'nobias'}"
            y, dw, db, dx = linear_golden(seed, batch, fin, fout, has_bias, act, DEFAULT_LEAKY_SLOPE)
            rows.append(designated(
                name=f'"{name}"', seed=f"{seed}u", batch=batch, in_features=fin, out_features=fout,
                has_bias=cpp_bool(has_bias), act=f"Activation::{act}", slope=hex_float(DEFAULT_LEAKY_SLOPE),
                y=h.floats(f"{name}_y", y), weight_grad=h.floats(f"{name}_weight_grad", dw),
                bias_grad=h.floats(f"{name}_bias_grad", db) if has_bias else "nullptr",
                input_grad=h.floats(f"{name}_input_grad", dx)))
    h.table("LinearCase", "kLinearCases", rows)
    return h


# ---------------------------------------------------------------------------------------------
# Activations alone


def fixture_activations():
    h = FixtureHeader("activation", "Standalone activations, forward and backward, PyTorch float32.")
    rows = []
    cases = [  # x spans the saturating range of sigmoid and tanh
        ("relu", "relu", DEFAULT_LEAKY_SLOPE, 3, 17, 4.0),
        ("leaky_relu_default_slope", "leaky_relu", DEFAULT_LEAKY_SLOPE, 3, 17, 4.0),
        ("leaky_relu_slope_0_2", "leaky_relu", f32(0.2), 5, 13, 4.0),
        ("sigmoid", "sigmoid", DEFAULT_LEAKY_SLOPE, 3, 17, 8.0),
        ("sigmoid_single", "sigmoid", DEFAULT_LEAKY_SLOPE, 1, 1, 1.0),
        ("tanh", "tanh", DEFAULT_LEAKY_SLOPE, 3, 17, 6.0),
        ("tanh_wide", "tanh", DEFAULT_LEAKY_SLOPE, 2, 64, 0.5),
    ]
    for i, (name, kind, slope, rows_n, cols, x_bound) in enumerate(cases):
        seed = 2000 + i
        x = tensor(stream(seed, 0, rows_n * cols, x_bound), rows_n, cols).requires_grad_()
        dy = tensor(stream(seed, 1, rows_n * cols), rows_n, cols)
        y = apply_activation(x, kind, slope)
        y.backward(dy)
        rows.append(designated(
            name=f'"{name}"', seed=f"{seed}u", rows=rows_n, cols=cols, kind=f"Activation::{kind}",
            slope=hex_float(slope), x_bound=hex_float(x_bound), y=h.floats(f"{name}_y", numpy_of(y)),
            input_grad=h.floats(f"{name}_input_grad", numpy_of(x.grad))))
    h.table("ActivationCase", "kActivationCases", rows)
    return h


# ---------------------------------------------------------------------------------------------
# Losses


def loss_inputs(kind, seed, rows, cols, pred_bound):
    """The predictions and the target (labels or values) of a LossCase (golden_cases.h)."""
    pred = stream(seed, 0, rows * cols, pred_bound)
    if kind == "softmax_cross_entropy":
        rng = prng.Rng(seed, 1)
        return pred, np.array([rng.below(cols) for _ in range(rows)], dtype=np.int64)
    target = stream(seed, 1, rows * cols)
    target[::4] = pred[::4]
    return pred, target


def torch_loss(kind, pred, target, reduction):
    if kind == "softmax_cross_entropy":
        return F.cross_entropy(pred, target, reduction=reduction)
    if kind == "mse":
        return F.mse_loss(pred, target, reduction=reduction)
    if kind == "l1":
        return F.l1_loss(pred, target, reduction=reduction)
    raise ValueError(kind)


def fixture_losses():
    h = FixtureHeader("loss", "Losses, value and gradient with respect to the predictions, PyTorch float32.")
    rows = []
    shapes = {  # (rows, cols, prediction bound)
        "softmax_cross_entropy": [(1, 3, 3.0), (4, 10, 3.0), (5, 7, 3.0), (3, 1, 3.0), (2, 13, 60.0)],
        "mse": [(1, 1, 1.0), (4, 10, 2.0), (3, 7, 2.0)],
        "l1": [(1, 1, 1.0), (4, 10, 2.0), (3, 7, 2.0)],
    }
    seed = 3000
    for kind, kind_shapes in shapes.items():
        for rows_n, cols, bound in kind_shapes:
            for reduction in ("mean", "sum"):
                seed += 1
                name = f"{kind}_{reduction}_{rows_n}x{cols}" + ("_large_logits" if bound > 10 else "")
                pred_np, target_np = loss_inputs(kind, seed, rows_n, cols, bound)
                pred = tensor(pred_np, rows_n, cols).requires_grad_()
                if kind == "softmax_cross_entropy":
                    target = torch.from_numpy(target_np)
                else:
                    target = tensor(target_np, rows_n, cols)
                value = torch_loss(kind, pred, target, reduction)
                value.backward()
                rows.append(designated(
                    name=f'"{name}"', kind=f"LossKind::{kind}", reduction=f"Reduction::{reduction}",
                    seed=f"{seed}u", rows=rows_n, cols=cols, pred_bound=hex_float(bound),
                    value=hex_float(value.item()), grad=h.floats(f"{name}_grad", numpy_of(pred.grad))))
    h.table("LossCase", "kLossCases", rows)
    return h


# ---------------------------------------------------------------------------------------------
# Optimizers


OPTIMIZER_CASES = [  # (name, config, grad_scale)
    ("sgd_plain", {"kind": "sgd", "lr": 0.1}, 1.0),
    ("sgd_momentum", {"kind": "sgd", "lr": 0.1, "momentum": 0.9}, 1.0),
    ("sgd_momentum_dampening", {"kind": "sgd", "lr": 0.05, "momentum": 0.8, "dampening": 0.5}, 1.0),
    ("sgd_nesterov", {"kind": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True}, 1.0),
    ("sgd_momentum_weight_decay", {"kind": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}, 1.0),
    ("sgd_nesterov_weight_decay_grad_scale",
     {"kind": "sgd", "lr": 0.2, "momentum": 0.5, "nesterov": True, "weight_decay": 0.05}, 1.0 / 3.0),
    ("adam", {"kind": "adam", "lr": 0.01}, 1.0),
    ("adam_weight_decay_betas", {"kind": "adam", "lr": 0.02, "weight_decay": 0.1, "beta1": 0.8,
                                 "beta2": 0.99, "eps": 1e-6}, 1.0),
    ("adam_grad_scale", {"kind": "adam", "lr": 0.001}, 0.25),
    ("adamw_weight_decay", {"kind": "adamw", "lr": 0.01, "weight_decay": 0.1}, 1.0),
    ("adamw_weight_decay_grad_scale", {"kind": "adamw", "lr": 0.05, "weight_decay": 0.3}, 1.0 / 3.0),
]


def fixture_optimizers():
    h = FixtureHeader("optimizer", "Consecutive optimizer steps of torch.optim (SGD, Adam, AdamW), float32.")
    rows = []
    count, steps = 13, 5
    for i, (name, config, grad_scale) in enumerate(OPTIMIZER_CASES):
        seed = 4000 + i
        p = tensor(stream(seed, 0, count), count).requires_grad_()
        opt = torch_optimizer(config, [p])
        after = []
        for s in range(1, steps + 1):
            # The C++ optimizer scales the gradient first, with one float32 rounding.
            p.grad = tensor(stream(seed, s, count) * f32(grad_scale), count)
            opt.step()
            after.append(numpy_of(p).copy())
        rows.append(designated(
            name=f'"{name}"', config=optimizer_config_cpp(config), grad_scale=hex_float(grad_scale),
            seed=f"{seed}u", count=count, steps=steps, params=h.floats(f"{name}_params", np.stack(after))))
    h.table("OptimizerCase", "kOptimizerCases", rows)
    return h


# ---------------------------------------------------------------------------------------------
# Training through the Trainer


class Mlp:
    """A sequence of Linear layers (with optional activations) initialised by Trainer::initialize."""

    def __init__(self, input_features, layers, init_seed):
        self.layers = layers  # (out_features, has_bias, activation, slope)
        specs, fin = [], input_features
        for out, has_bias, act, _ in layers:
            specs.append((fin, out, has_bias, act in ("relu", "leaky_relu")))
            fin = out
        initial = prng.initialize_mlp(init_seed, specs)
        self.params = [torch.from_numpy(p.copy()).requires_grad_() for p in initial]

    def forward(self, x):
        i = 0
        for _, has_bias, act, slope in self.layers:
            w = self.params[i]
            b = self.params[i + 1] if has_bias else None
            i += 2 if has_bias else 1
            x = apply_activation(F.linear(x, w, b), act, slope)
        return x

    def flat(self):
        return np.concatenate([numpy_of(p).reshape(-1) for p in self.params])


def train_mlp(case):
    """Runs a TrainerCase in PyTorch; returns the per-step losses, initial and final parameters."""
    model = Mlp(case["input"], case["layers"], case["init_seed"])
    initial = model.flat()
    opt = torch_optimizer(case["optimizer"], model.params)
    batch, acc, fin = case["batch"], case["accumulate_steps"], case["input"]
    fout = case["layers"][-1][0]
    losses = []
    for s in range(case["steps"]):
        rng = prng.Rng(case["data_seed"], s)
        x = tensor(rng.uniform_symmetric_array(batch * fin, 1.0), batch, fin)
        if case["loss"] == "softmax_cross_entropy":
            target = torch.tensor([rng.below(fout) for _ in range(batch)], dtype=torch.int64)
        else:
            target = tensor(rng.uniform_symmetric_array(batch * fout, 1.0), batch, fout)
        loss = torch_loss(case["loss"], model.forward(x), target, "mean")
        losses.append(loss.item())
        loss.backward()  # gradients add up over the accumulation window
        if (s + 1) % acc == 0:
            # The Trainer updates with grad_scale = 1 / accumulate_steps (layers/optimizer.h).
            for p in model.params:
                p.grad.mul_(float(f32(1.0 / acc)))
            opt.step()
            opt.zero_grad(set_to_none=False)
    return np.array(losses, dtype=np.float32), initial, model.flat()


TRAINER_CASES = [
    {"name": "mlp_5_7_3_relu_cross_entropy_sgd_momentum", "input": 5,
     "layers": [(7, True, "relu", DEFAULT_LEAKY_SLOPE), (3, True, "none", DEFAULT_LEAKY_SLOPE)],
     "loss": "softmax_cross_entropy", "optimizer": {"kind": "sgd", "lr": 0.1, "momentum": 0.9},
     "batch": 2, "accumulate_steps": 1, "steps": 5},
    {"name": "mlp_4_6_6_2_tanh_sigmoid_mse_adam", "input": 4,
     "layers": [(6, True, "tanh", DEFAULT_LEAKY_SLOPE), (6, True, "sigmoid", DEFAULT_LEAKY_SLOPE),
                (2, True, "none", DEFAULT_LEAKY_SLOPE)],
     "loss": "mse", "optimizer": {"kind": "adam", "lr": 0.01}, "batch": 3, "accumulate_steps": 1, "steps": 5},
    {"name": "mlp_5_7_3_relu_cross_entropy_sgd_accumulate_2", "input": 5,
     "layers": [(7, True, "relu", DEFAULT_LEAKY_SLOPE), (3, True, "none", DEFAULT_LEAKY_SLOPE)],
     "loss": "softmax_cross_entropy", "optimizer": {"kind": "sgd", "lr": 0.1, "momentum": 0.9},
     "batch": 2, "accumulate_steps": 2, "steps": 6},
    {"name": "mlp_3_5_4_leaky_relu_nobias_l1_adamw", "input": 3,
     "layers": [(5, True, "leaky_relu", f32(0.1)), (4, False, "none", DEFAULT_LEAKY_SLOPE)],
     "loss": "l1", "optimizer": {"kind": "adamw", "lr": 0.01, "weight_decay": 0.1},
     "batch": 4, "accumulate_steps": 1, "steps": 5},
]


def fixture_trainer():
    h = FixtureHeader("trainer", "Training steps of small MLPs through the Trainer, PyTorch float32.")
    rows = []
    for i, case in enumerate(TRAINER_CASES):
        case = dict(case, init_seed=5000 + i, data_seed=5100 + i)
        name = case["name"]
        losses, initial, final = train_mlp(case)
        layer_rows = [designated(out_features=out, has_bias=cpp_bool(b), act=f"Activation::{act}",
                                 slope=hex_float(slope)) for out, b, act, slope in case["layers"]]
        h.table("LayerSpec", f"{name}_layers", layer_rows)
        config = train_config_cpp(case["batch"], case["loss"], case["optimizer"], case["accumulate_steps"])
        rows.append(designated(
            name=f'"{name}"', input_features=case["input"], layers=f"{name}_layers",
            layer_count=len(case["layers"]), config=config, init_seed=f'{case["init_seed"]}u',
            data_seed=f'{case["data_seed"]}u', steps=case["steps"],
            losses=h.floats(f"{name}_losses", losses), param_floats=initial.size,
            initial_params=h.floats(f"{name}_initial_params", initial),
            final_params=h.floats(f"{name}_final_params", final)))
    h.table("TrainerCase", "kTrainerCases", rows)
    return h


# ---------------------------------------------------------------------------------------------
# MLPerf Tiny Deep AutoEncoder, 100 steps


DAE_WIDTHS = [640, 128, 128, 128, 128, 8, 128, 128, 128, 128, 640]
DAE = {"init_seed": 6000, "data_seed": 6001, "samples": 10, "steps": 100, "lr": 0.1, "head": 4}


def fixture_autoencoder():
    h = FixtureHeader(
        "autoencoder",
        "100 training steps of the MLPerf Tiny Deep AutoEncoder (ReLU MLP, MSE, plain SGD, batch 1):\n"
        "the loss of every step, PyTorch float32.",
    )
    widths = DAE_WIDTHS
    layers = [(w, True, "relu" if i < len(widths) - 2 else "none", DEFAULT_LEAKY_SLOPE)
              for i, w in enumerate(widths[1:])]
    model = Mlp(widths[0], layers, DAE["init_seed"])
    heads = np.concatenate([numpy_of(p).reshape(-1)[: DAE["head"]] for p in model.params])
    optimizer = {"kind": "sgd", "lr": DAE["lr"]}
    opt = torch_optimizer(optimizer, model.params)
    samples = [tensor(prng.Rng(DAE["data_seed"], j).uniform_array(widths[0]), 1, widths[0])
               for j in range(DAE["samples"])]
    losses = []
    for s in range(DAE["steps"]):
        x = samples[s % DAE["samples"]]
        loss = F.mse_loss(model.forward(x), x)
        losses.append(loss.item())
        opt.zero_grad(set_to_none=False)
        loss.backward()
        opt.step()
    losses = np.array(losses, dtype=np.float32)
    first, last = losses[: DAE["samples"]].mean(), losses[-DAE["samples"]:].mean()
    if not last < 0.5 * first:
        raise RuntimeError(f"autoencoder: the loss does not clearly decrease ({first} -> {last})")
    h.ints("dae_widths", widths)
    config = train_config_cpp(1, "mse", optimizer, 1)
    h.table("AutoencoderCase", "kAutoencoderCases", [designated(
        name='"mlperf_tiny_dae_sgd"', widths="dae_widths", width_count=len(widths), config=config,
        init_seed=f'{DAE["init_seed"]}u', data_seed=f'{DAE["data_seed"]}u', samples=DAE["samples"],
        steps=DAE["steps"], losses=h.floats("dae_losses", losses), head=DAE["head"],
        initial_heads=h.floats("dae_initial_heads", heads))])
    return h


def main():
    check = sys.argv[1:] == ["--check"]
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(0)  # nothing should draw from it; fixed anyway
    os.makedirs(FIXTURES, exist_ok=True)
    topics = [("rng.h", fixture_rng), ("linear.h", fixture_linear), ("activation.h", fixture_activations),
              ("loss.h", fixture_losses), ("optimizer.h", fixture_optimizers), ("trainer.h", fixture_trainer),
              ("autoencoder.h", fixture_autoencoder)]
    # Each tests/golden/<topic>_goldens.py adds its own: TOPICS = [(filename, make), ...].
    for module_file in sorted(glob.glob(os.path.join(HERE, "*_goldens.py"))):
        if os.path.basename(module_file) == "generate_goldens.py":
            continue
        module = importlib.import_module(os.path.basename(module_file)[:-3])
        topics += module.TOPICS
    total, stale = 0, []
    for filename, make in topics:
        path = os.path.join(FIXTURES, filename)
        text = make().render()
        total += len(text.encode("utf-8"))
        if check:
            with open(path, encoding="utf-8") as current:
                if current.read() != text:
                    stale.append(filename)
        else:
            with open(path, "w", encoding="utf-8") as out:
                out.write(text)
            print(f"tests/golden/fixtures/{filename}: {len(text.encode('utf-8'))} bytes")
    if check:
        if stale:
            print(f"stale fixtures: {', '.join(stale)}; regenerate: /usr/bin/python3 tests/golden/generate_goldens.py")
            return 1
        print("fixtures are up to date")
        return 0
    print(f"total: {total} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
