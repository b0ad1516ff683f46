"""Golden fixtures: 20 training steps of the MLPerf Tiny DS-CNN and ResNet8 (graph/mlperf_tiny.h)
through the Trainer, mirrored in PyTorch from the same initial parameters and data.

Parameters follow Trainer::parameter() order: per node its weight, bias, then BatchNorm's
running mean and variance; array p is initialised from Rng(init_seed, p) by the rule of
Trainer::initialize (He when the layer's output reaches a ReLU directly or through one norm
layer, Glorot otherwise, PyTorch's fans; biases pytorch_bias; gamma ones, beta zeros). Step s
draws its batch from Rng(data_seed, s): batch × C × H × W inputs (CHW order) uniform_symmetric(1),
then one label per sample below(classes).

The fixtures are too large to hold whole parameter sets, so each array is summarised by its sum,
its sum of absolute values and 16 evenly strided samples, before and after training.
"""

import numpy as np
import torch
import torch.nn.functional as F

import portable_rng as prng
from fixture_writer import FixtureHeader, designated
from golden_inputs import numpy_of, tensor, torch_optimizer, train_config_cpp

SAMPLES = 16


class Net:
    """Parameters in Trainer::parameter() order, drawn as Trainer::initialize draws them."""

    def __init__(self, init_seed):
        self.init_seed = init_seed
        self.arrays = []  # (tensor, trainable)

    def _draw(self, kind, shape, fan_in, fan_out):
        count = int(np.prod(shape))
        values = prng.init_fill(kind, prng.Rng(self.init_seed, len(self.arrays)), count, fan_in, fan_out)
        return torch.from_numpy(values.reshape(shape).copy())

    def _add(self, t, trainable):
        if trainable:
            t.requires_grad_()
        self.arrays.append((t, trainable))
        return t

    def conv(self, cin, cout, kh, kw, relu_follows, groups=1, bias=True):
        per_group = cin // groups
        taps = kh * kw
        fan_in, fan_out = per_group * taps, cout * taps
        kind = prng.HE_UNIFORM if relu_follows else prng.GLOROT_UNIFORM
        w = self._add(self._draw(kind, (cout, per_group, kh, kw), fan_in, fan_out), True)
        b = self._add(self._draw(prng.PYTORCH_BIAS, (cout,), fan_in, fan_out), True) if bias else None
        return w, b

    def linear(self, fin, fout, relu_follows):
        kind = prng.HE_UNIFORM if relu_follows else prng.GLOROT_UNIFORM
        w = self._add(self._draw(kind, (fout, fin), fin, fout), True)
        b = self._add(self._draw(prng.PYTORCH_BIAS, (fout,), fin, fout), True)
        return w, b

    def batch_norm(self, c):
        gamma = self._add(torch.ones(c), True)
        beta = self._add(torch.zeros(c), True)
        running_mean = self._add(torch.zeros(c), False)
        running_var = self._add(torch.ones(c), False)
        return gamma, beta, running_mean, running_var

    def trainable(self):
        return [t for t, trainable in self.arrays if trainable]

    def summary(self):
        sums, abs_sums, samples, counts = [], [], [], []
        for t, _ in self.arrays:
            v = numpy_of(t).reshape(-1)
            stride = max(1, v.size // SAMPLES)
            picked = v[::stride][:SAMPLES]
            picked = np.concatenate([picked, np.zeros(SAMPLES - picked.size, dtype=np.float32)])
            counts.append(v.size)
            sums.append(v.astype(np.float64).sum())
            abs_sums.append(np.abs(v.astype(np.float64)).sum())
            samples.append(picked)
        return counts, np.array(sums, dtype=np.float32), np.array(abs_sums, dtype=np.float32), np.stack(samples)


def conv(x, w, b, stride=1, pad=(0, 0, 0, 0), groups=1):
    """pad = (top, bottom, left, right), zero, possibly asymmetric."""
    top, bottom, left, right = pad
    return F.conv2d(F.pad(x, (left, right, top, bottom)), w, b, stride=stride, groups=groups)


def bn(x, p):
    gamma, beta, running_mean, running_var = p
    return F.batch_norm(x, running_mean, running_var, gamma, beta, training=True, momentum=0.1, eps=1e-5)


SAME_STRIDE2 = (0, 1, 0, 1)


class DsCnn:
    def __init__(self, init_seed):
        n = Net(init_seed)
        self.net = n
        self.conv1 = n.conv(1, 64, 10, 4, True, bias=False)
        self.bn1 = n.batch_norm(64)
        self.blocks = []
        for _ in range(4):
            dw = n.conv(64, 64, 3, 3, True, groups=64, bias=False)
            dw_bn = n.batch_norm(64)
            pw = n.conv(64, 64, 1, 1, True, bias=False)
            pw_bn = n.batch_norm(64)
            self.blocks.append((dw, dw_bn, pw, pw_bn))
        self.fc = n.linear(64, 12, False)

    def forward(self, x):
        x = torch.relu(bn(conv(x, *self.conv1, stride=2, pad=(4, 5, 1, 1)), self.bn1))
        for dw, dw_bn, pw, pw_bn in self.blocks:
            x = torch.relu(bn(conv(x, *dw, pad=(1, 1, 1, 1), groups=64), dw_bn))
            x = torch.relu(bn(conv(x, *pw), pw_bn))
        x = x.mean(dim=(2, 3))
        return F.linear(x, *self.fc)


class ResNet8:
    def __init__(self, init_seed):
        n = Net(init_seed)
        self.net = n
        self.conv0 = n.conv(3, 16, 3, 3, True, bias=False)
        self.bn0 = n.batch_norm(16)
        self.stacks = []
        cin = 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            a = n.conv(cin, cout, 3, 3, True, bias=False)
            a_bn = n.batch_norm(cout)
            b = n.conv(cout, cout, 3, 3, False, bias=False)
            b_bn = n.batch_norm(cout)
            shortcut = n.conv(cin, cout, 1, 1, False) if stride != 1 else None
            self.stacks.append((stride, a, a_bn, b, b_bn, shortcut))
            cin = cout
        self.fc = n.linear(64, 10, False)

    def forward(self, x):
        x = torch.relu(bn(conv(x, *self.conv0, pad=(1, 1, 1, 1)), self.bn0))
        for stride, a, a_bn, b, b_bn, shortcut in self.stacks:
            pad = (1, 1, 1, 1) if stride == 1 else SAME_STRIDE2
            y = torch.relu(bn(conv(x, *a, stride=stride, pad=pad), a_bn))
            y = bn(conv(y, *b, pad=(1, 1, 1, 1)), b_bn)
            s = conv(x, *shortcut, stride=stride) if shortcut is not None else x
            x = torch.relu(s + y)
        x = x.mean(dim=(2, 3))
        return F.linear(x, *self.fc)


MODEL_CASES = [
    {"name": "ds_cnn", "model": DsCnn, "input": (1, 49, 10), "classes": 12, "batch": 1,
     "optimizer": {"kind": "sgd", "lr": 0.01, "momentum": 0.9}},
    {"name": "resnet8", "model": ResNet8, "input": (3, 32, 32), "classes": 10, "batch": 2,
     "optimizer": {"kind": "adam", "lr": 0.001}},
]
STEPS = 20


def train(case, init_seed, data_seed):
    model = case["model"](init_seed)
    before = model.net.summary()
    opt = torch_optimizer(case["optimizer"], model.net.trainable())
    batch, (c, h, w) = case["batch"], case["input"]
    losses = []
    for s in range(STEPS):
        rng = prng.Rng(data_seed, s)
        x = tensor(rng.uniform_symmetric_array(batch * c * h * w, 1.0), batch, c, h, w)
        labels = torch.tensor([rng.below(case["classes"]) for _ in range(batch)], dtype=torch.int64)
        loss = F.cross_entropy(model.forward(x), labels)
        losses.append(loss.item())
        opt.zero_grad(set_to_none=False)
        loss.backward()
        opt.step()
    return np.array(losses, dtype=np.float32), before, model.net.summary()


def fixture_models():
    h = FixtureHeader(
        "models",
        "20 training steps of the MLPerf Tiny DS-CNN and ResNet8 (cross-entropy), PyTorch float32:\n"
        "the loss of every step and a summary of every parameter array before and after.",
        cases_header="golden/models_cases.h")
    rows = []
    for i, case in enumerate(MODEL_CASES):
        name = case["name"]
        init_seed, data_seed = 7000 + i, 7100 + i
        losses, before, after = train(case, init_seed, data_seed)
        counts = before[0]
        c, hh, w = case["input"]
        rows.append(designated(
            name=f'"{name}"', channels=c, height=hh, width=w, classes=case["classes"],
            config=train_config_cpp(case["batch"], "softmax_cross_entropy", case["optimizer"], 1),
            init_seed=f"{init_seed}u", data_seed=f"{data_seed}u", steps=STEPS,
            losses=h.floats(f"{name}_losses", losses), arrays=len(counts),
            counts=h.ints(f"{name}_counts", counts),
            initial_sums=h.floats(f"{name}_initial_sums", before[1]),
            initial_abs_sums=h.floats(f"{name}_initial_abs_sums", before[2]),
            initial_samples=h.floats(f"{name}_initial_samples", before[3]),
            final_sums=h.floats(f"{name}_final_sums", after[1]),
            final_abs_sums=h.floats(f"{name}_final_abs_sums", after[2]),
            final_samples=h.floats(f"{name}_final_samples", after[3])))
    h.table("ModelTrainingCase", "kModelTrainingCases", rows)
    return h


TOPICS = [("models.h", fixture_models)]
