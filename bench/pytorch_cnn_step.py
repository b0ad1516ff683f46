#!/usr/bin/python3
"""PyTorch's side of the CNN training-step benchmark (bench_cnn_step is utrain's).

The same models as graph/mlperf_tiny.h (and tests/golden/models_goldens.py) as torch.nn modules,
NCHW: DS-CNN (1x49x10 input, 12 classes) and ResNet8 (3x32x32, 10 classes); no bias on the
convolutions followed by BatchNorm; Keras-"same" padding for the strided windows, which
nn.Conv2d's symmetric padding cannot express, is an explicit F.pad before the convolution (the
way PyTorch ports of Keras models do it); every other convolution pads inside nn.Conv2d.

The step, batch 1, one thread (torch.set_num_threads(1)): zero_grad(set_to_none=True) (PyTorch
2's default and its faster form), forward, cross-entropy, backward, SGD step (momentum 0.9, lr
0.01). Each step is timed on its own after a warm-up (wall clock, or with --clock thread_cpu the
thread's CPU time, as bench_cnn_step's --clock); the median and the minimum are reported, never
a mean, because a shared machine only ever slows a step down. The phases of each step
(zero_grad, forward with loss, backward, optimizer) are timed as well.

Per layer (nodes numbered as utrain's model builder numbers them, so the runner pairs them):
  fw  the module's forward with autograd recording, as in training (its input requires grad
      unless it is the model's input);
  wg  the autograd backward of that forward computing only the parameters' gradients (the
      input does not require grad), each parameter's .grad None beforehand as after zero_grad;
  ig  the autograd backward computing only the input gradient (parameters frozen for the
      measurement, torch.autograd.grad on the inputs); not for the first layer, as in the step.
Each call is timed alone (a backward needs a fresh graph; its forward is not timed). For
convolutions the backend PyTorch selects (torch._C._select_conv_backend: Mkldnn, Slow2d, ...)
is reported, and for every step the ATen operator with the most self time in one profiled call.

Peak training memory is MEASURED, from the c10 CPU allocator's own accounting: with
torch.profiler(profile_memory=True) running from before the model is built, every tensor
allocation and free is an event carrying the allocator's running total of live bytes
("total_allocated", counted from the total before the profile's first allocation, since the
counter is process-wide). The model, optimizer and sample are built inside the profile and three
steps run (the first creates the momentum buffers); the peak is the highest running total in the
last step, which holds parameters, gradients, optimizer state, running statistics, the sample,
the activations autograd saves and every temporary, including oneDNN's (PyTorch registers the
c10 allocator with oneDNN). Memory outside tensors (Python objects, the interpreter, library
code) is not training memory and is not counted. Reported beside it: the live bytes when the
step starts (parameters, the previous step's gradients, optimizer state, buffers, sample) and
the sizes of each of those; and the same peak with zero_grad(set_to_none=False), PyTorch 1's
default, which keeps the gradient tensors for the whole run as utrain keeps its gradient buffers.

Prints one JSON object. Run with Debian's interpreter, which has python3-torch:
    /usr/bin/python3 bench/pytorch_cnn_step.py --model ds_cnn
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.profiler import ProfilerActivity, profile, record_function

# The clocks a measurement can read: wall time, or the thread's CPU time, which leaves out the
# time other processes hold the core (bench/support/repeat_timer.h).
CLOCKS = {"wall": time.perf_counter_ns, "thread_cpu": time.thread_time_ns}


class PaddedConv2d(nn.Module):
    """A convolution after explicit zero padding (top, bottom, left, right), possibly asymmetric."""

    def __init__(self, cin, cout, kernel, stride, pad, bias):
        super().__init__()
        top, bottom, left, right = pad
        self.pad = (left, right, top, bottom)  # F.pad's order: last dimension first
        self.conv = nn.Conv2d(cin, cout, kernel, stride=stride, bias=bias)

    def forward(self, x):
        return self.conv(F.pad(x, self.pad))


class Add(nn.Module):
    """The residual sum, a module so that it is timed as a layer like utrain's add node."""

    def forward(self, a, b):
        return a + b


KERAS_SAME_STRIDE2 = (0, 1, 0, 1)


def ds_cnn():
    layers = [PaddedConv2d(1, 64, (10, 4), 2, (4, 5, 1, 1), False), nn.BatchNorm2d(64), nn.ReLU()]
    for _ in range(4):
        layers += [nn.Conv2d(64, 64, 3, padding=1, groups=64, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
                   nn.Conv2d(64, 64, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU()]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 12)]
    return nn.Sequential(*layers)


class ResidualStack(nn.Module):
    """Two 3x3 convolutions with BatchNorm, the shortcut (identity, or 1x1 strided), add, ReLU;
    called in the order of utrain's nodes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv_a = (nn.Conv2d(cin, cout, 3, padding=1, bias=False) if stride == 1
                       else PaddedConv2d(cin, cout, 3, stride, KERAS_SAME_STRIDE2, False))
        self.bn_a = nn.BatchNorm2d(cout)
        self.relu_a = nn.ReLU()
        self.conv_b = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn_b = nn.BatchNorm2d(cout)
        self.shortcut = nn.Conv2d(cin, cout, 1, stride=stride) if stride != 1 else None
        self.add = Add()
        self.relu = nn.ReLU()

    def forward(self, x):
        y = self.relu_a(self.bn_a(self.conv_a(x)))
        y = self.bn_b(self.conv_b(y))
        s = self.shortcut(x) if self.shortcut is not None else x
        return self.relu(self.add(s, y))


def resnet8():
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        ResidualStack(16, 16, 1), ResidualStack(16, 32, 2), ResidualStack(32, 64, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


MODELS = {"ds_cnn": (ds_cnn, (1, 49, 10), 12), "resnet8": (resnet8, (3, 32, 32), 10)}


def build(name):
    make, shape, classes = MODELS[name]
    torch.manual_seed(1)
    model = make()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.rand(1, *shape) * 2 - 1
    label = torch.tensor([3])
    return model, optimizer, x, label, classes


def train_step(model, optimizer, x, label, set_to_none=True):
    optimizer.zero_grad(set_to_none=set_to_none)
    loss = F.cross_entropy(model(x), label)
    loss.backward()
    optimizer.step()
    return loss


def summary(samples_ns):
    us = sorted(s / 1000.0 for s in samples_ns)
    return {"median_us": statistics.median(us), "min_us": us[0], "max_us": us[-1], "repetitions": len(us)}


def time_step(model, optimizer, x, label, warmup, repetitions, clock):
    """The whole step, and its phases, each step timed on its own."""
    for _ in range(warmup):
        train_step(model, optimizer, x, label)
    steps, phases = [], {"zero_grad": [], "forward_loss": [], "backward": [], "optimizer": []}
    for _ in range(repetitions):
        t0 = clock()
        optimizer.zero_grad(set_to_none=True)
        t1 = clock()
        loss = F.cross_entropy(model(x), label)
        t2 = clock()
        loss.backward()
        t3 = clock()
        optimizer.step()
        t4 = clock()
        steps.append(t4 - t0)
        for key, a, b in (("zero_grad", t0, t1), ("forward_loss", t1, t2), ("backward", t2, t3), ("optimizer", t3, t4)):
            phases[key].append(b - a)
    return summary(steps), {k: summary(v)["median_us"] for k, v in phases.items()}, float(loss)


# --- the layers, as utrain numbers its nodes ---------------------------------------------------

LAYER_TYPES = (PaddedConv2d, nn.Conv2d, nn.BatchNorm2d, nn.ReLU, Add, nn.AdaptiveAvgPool2d, nn.Flatten, nn.Linear)


def conv_of(module):
    return module.conv if isinstance(module, PaddedConv2d) else module


def kind_of(module):
    if isinstance(module, (PaddedConv2d, nn.Conv2d)):
        conv = conv_of(module)
        return "depthwise_conv2d" if conv.groups > 1 and conv.groups == conv.in_channels else "conv2d"
    return {nn.BatchNorm2d: "batch_norm2d", nn.ReLU: "activation", Add: "add", nn.AdaptiveAvgPool2d: "global_avg_pool",
            nn.Flatten: "reshape", nn.Linear: "linear"}[type(module)]


def chw(shape):
    return list(shape[1:]) + [1] * (4 - len(shape))


def label_of(module, inputs, output):
    """The label bench_cnn_step gives the same node."""
    text = lambda s: "x".join(str(v) for v in chw(s))
    kind = kind_of(module)
    if kind in ("conv2d", "depthwise_conv2d"):
        conv = conv_of(module)
        window = f"k{conv.kernel_size[0]}x{conv.kernel_size[1]}"
        if conv.stride[0] != 1:
            window += f" s{conv.stride[0]}"
        return f"{kind} {text(inputs[0].shape)} -> {text(output.shape)} {window}"
    if kind == "linear":
        return f"linear {module.in_features} -> {module.out_features}"
    if kind == "activation":
        return f"relu {text(output.shape)}"
    if kind == "global_avg_pool":
        return f"global_avg_pool {text(inputs[0].shape)} -> {text(output.shape)}"
    return f"{kind} {text(output.shape)}"


def step_macs(module, inputs, output):
    """Multiply-accumulates of one layer step (forward, weight grad and input grad cost the same)."""
    if isinstance(module, nn.Linear):
        return module.in_features * module.out_features * inputs[0].shape[0]
    if isinstance(module, (PaddedConv2d, nn.Conv2d)):
        conv = conv_of(module)
        per_output = conv.in_channels // conv.groups * conv.kernel_size[0] * conv.kernel_size[1]
        return output.numel() * per_output
    return 0


def record_layers(model, x):
    """Runs one forward with hooks: every layer module in call order, with its input shapes."""
    inner = {m.conv for m in model.modules() if isinstance(m, PaddedConv2d)}
    layers, handles = [], []

    def hook(module, inputs, output):
        layers.append({"module": module, "kind": kind_of(module), "label": label_of(module, inputs, output),
                       "input_shapes": [tuple(t.shape) for t in inputs], "output_shape": tuple(output.shape),
                       "input_is_sample": inputs[0] is x, "macs": step_macs(module, inputs, output)})

    for m in model.modules():
        if isinstance(m, LAYER_TYPES) and m not in inner:
            handles.append(m.register_forward_hook(hook))
    model(x)
    for h in handles:
        h.remove()
    for i, layer in enumerate(layers):
        layer["node"] = i + 1  # node 0 is the input
    return layers


def dominant_op(run, prepare, calls=5):
    """The ATen operator with the most self CPU time over a few profiled calls of run(prepare());
    the arguments are prepared before profiling starts."""
    args = [prepare() for _ in range(calls)]
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for arg in args:
            run(arg)
    events = [e for e in prof.key_averages() if e.key.startswith("aten::")]
    return max(events, key=lambda e: e.self_cpu_time_total).key if events else ""


def conv_backend(layer, inputs):
    conv = conv_of(layer["module"])
    x = inputs[0]
    if isinstance(layer["module"], PaddedConv2d):
        x = F.pad(x, layer["module"].pad)
    return str(torch._C._select_conv_backend(x, conv.weight, conv.bias, list(conv.stride), list(conv.padding),
                                             list(conv.dilation), False, [0, 0], conv.groups)).split(".")[-1]


def time_layer(layer, repetitions, clock):
    """fw, wg and ig of one layer, each call timed alone."""
    module = layer["module"]
    params = list(module.parameters())
    needs_ig = not layer["input_is_sample"]
    torch.manual_seed(layer["node"])
    inputs = [torch.randn(s) for s in layer["input_shapes"]]
    dy = torch.randn(layer["output_shape"])
    warmup = max(3, repetitions // 10)
    result = {}

    def measure(name, run, prepare):
        """run() is timed after prepare() (untimed) returns its argument."""
        samples = []
        for r in range(warmup + repetitions):
            arg = prepare()
            start = clock()
            run(arg)
            if r >= warmup:
                samples.append(clock() - start)
        entry = summary(samples)
        entry["op"] = dominant_op(run, prepare)
        if layer["macs"]:
            entry["macs"] = layer["macs"]
            entry["macs_per_second"] = layer["macs"] / (entry["median_us"] * 1e-6)
        result[name] = entry

    for t in inputs:
        t.requires_grad_(needs_ig)
    measure("fw", lambda _: module(*inputs), lambda: None)
    if params:
        for t in inputs:
            t.requires_grad_(False)

        def forward_fresh_grads():
            for p in params:
                p.grad = None
            return module(*inputs)

        measure("wg", lambda out: out.backward(dy), forward_fresh_grads)
    if needs_ig:
        for t in inputs:
            t.requires_grad_(True)
        for p in params:
            p.requires_grad_(False)
        measure("ig", lambda out: torch.autograd.grad(out, inputs, dy), lambda: module(*inputs))
        for p in params:
            p.requires_grad_(True)
    if layer["kind"] in ("conv2d", "depthwise_conv2d"):
        result["backend"] = conv_backend(layer, inputs)
    return result


def layer_breakdown(model, x, repetitions, clock):
    out = []
    for layer in record_layers(model, x):
        entry = {k: layer[k] for k in ("node", "kind", "label", "macs")}
        entry["input"] = chw(layer["input_shapes"][0])
        entry["output"] = chw(layer["output_shape"])
        entry.update(time_layer(layer, repetitions, clock))
        out.append(entry)
    return out


# --- memory ------------------------------------------------------------------------------------

def allocation_events(prof):
    events, stack = [], list(prof.profiler.kineto_results.experimental_event_tree())
    while stack:
        e = stack.pop()
        stack.extend(e.children)
        events.append(e)
    allocations = [e for e in events if type(e.extra_fields).__name__ == "_ExtraFields_Allocation"]
    steps = {e.name: e for e in events if e.name.startswith("training_step_")}
    return sorted(allocations, key=lambda e: e.start_time_ns), steps


def nbytes(tensors):
    return sum(t.numel() * t.element_size() for t in tensors)


def measure_memory(name, set_to_none, steps=3):
    """Peak live tensor bytes of the last of `steps` training steps, from the allocator's events."""
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        model, optimizer, x, label, _ = build(name)
        for s in range(steps):
            with record_function(f"training_step_{s}"):
                train_step(model, optimizer, x, label, set_to_none)
    allocations, marks = allocation_events(prof)
    # The allocator's running total is process-wide and keeps what an earlier profile allocated
    # and freed unprofiled: count from the total before this profile's first allocation.
    base = allocations[0].extra_fields.total_allocated - allocations[0].extra_fields.alloc_size
    last = marks[f"training_step_{steps - 1}"]
    before = [e for e in allocations if e.start_time_ns < last.start_time_ns]
    during = [e for e in allocations if last.start_time_ns <= e.start_time_ns <= last.end_time_ns]
    at_start = before[-1].extra_fields.total_allocated - base
    peak = max([at_start] + [e.extra_fields.total_allocated - base for e in during])
    momentum = [s["momentum_buffer"] for s in optimizer.state.values() if s.get("momentum_buffer") is not None]
    return {
        "peak_bytes": peak,
        "live_at_step_start_bytes": at_start,
        "step_transient_peak_bytes": peak - at_start,
        "parameters": nbytes(model.parameters()),
        # Every parameter trains. With set_to_none the gradients live from backward to the next
        # zero_grad; without, for the whole run.
        "gradients": nbytes(model.parameters()),
        "optimizer_state": nbytes(momentum),
        "buffers": nbytes(model.buffers()),  # BatchNorm running statistics and batch counters
        "input_bytes": nbytes([x, label]),
        # What the peak holds beyond those: activations autograd saved, gradients live at the
        # peak, temporaries.
        "activations_gradients_temporaries_at_peak_bytes":
            peak - nbytes(model.parameters()) - nbytes(momentum) - nbytes(model.buffers()) - nbytes([x, label]),
        "method": "torch.profiler profile_memory: max of the c10 CPU allocator's total_allocated over the last step",
    }


def blas_library():
    """The BLAS PyTorch's matrix products reach on a Debian system (reference netlib or another)."""
    for path in ("/usr/lib/x86_64-linux-gnu/libblas.so.3", "/usr/lib/aarch64-linux-gnu/libblas.so.3"):
        if os.path.exists(path):
            return os.path.realpath(path)
    return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=sorted(MODELS), required=True)
    parser.add_argument("--repetitions", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--layer-repetitions", type=int, default=31)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    args = parser.parse_args()
    clock = CLOCKS[args.clock]

    torch.set_num_threads(1)
    model, optimizer, x, label, _ = build(args.model)
    step, phases, loss = time_step(model, optimizer, x, label, args.warmup, args.repetitions, clock)
    layers = layer_breakdown(model, x, args.layer_repetitions, clock)
    # Counted as bench_cnn_step counts them: every layer's forward and weight gradient (all train),
    # the input gradient of every layer that sends one (not the first's).
    macs = {"forward": sum(layer["macs"] for layer in layers),
            "weight_grad": sum(layer["macs"] for layer in layers),
            "input_grad": sum(layer["macs"] for layer in layers if "ig" in layer)}
    macs["total"] = macs["forward"] + macs["weight_grad"] + macs["input_grad"]
    json.dump({
        "benchmark": "cnn_training_step",
        "framework": "pytorch",
        "torch_version": torch.__version__,
        "blas": blas_library(),
        "model": args.model,
        "layout": "nchw",
        "threads": torch.get_num_threads(),
        "clock": args.clock,
        "batch": 1,
        "loss": "softmax_cross_entropy",
        "optimizer": {"kind": "sgd", "lr": 0.01, "momentum": 0.9},
        "step_us": {"median": step["median_us"], "min": step["min_us"], "max": step["max_us"],
                    "repetitions": step["repetitions"]},
        "phases_median_us": phases,
        "macs_per_step": macs,
        "macs_per_second": macs["total"] / (step["median_us"] * 1e-6),
        "macs_per_second_best": macs["total"] / (step["min_us"] * 1e-6),
        "memory": measure_memory(args.model, set_to_none=True),
        # The same with zero_grad(set_to_none=False), PyTorch 1's default: gradients kept, zeroed.
        "memory_keeping_gradients": measure_memory(args.model, set_to_none=False),
        "final_loss": loss,
        "layers": layers,
    }, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
