#!/usr/bin/python3
"""PyTorch's side of the Deep AutoEncoder training-step benchmark (bench_dae_step is utrain's).

The same model and step: MLPerf Tiny Deep AutoEncoder (Linear 640-128-128-128-128-8-128-128-
128-128-640, ReLU after every layer but the last), batch 1, MSE against the input, plain SGD
(torch.optim.SGD, lr 0.01): zero_grad, forward, loss, backward, optimizer step. One thread,
each step timed on its own after a warm-up; the median and the minimum are reported, never a
mean, because a shared machine only ever slows a step down. Prints one JSON object.

Run with Debian's interpreter, which has python3-torch:  /usr/bin/python3 bench/pytorch_dae_step.py
"""
import argparse
import json
import sys
import time

import torch

WIDTHS = [640, 128, 128, 128, 128, 8, 128, 128, 128, 128, 640]


def dae_model():
    layers = []
    for i in range(len(WIDTHS) - 1):
        layers.append(torch.nn.Linear(WIDTHS[i], WIDTHS[i + 1]))
        if i + 2 < len(WIDTHS):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def step_macs():
    """MACs of one batch-1 step, counted as bench_dae_step counts them: every layer's forward and
    weight gradient, every layer's input gradient but the first's."""
    layer_macs = [WIDTHS[i] * WIDTHS[i + 1] for i in range(len(WIDTHS) - 1)]
    forward = sum(layer_macs)
    return {"forward": forward, "weight_grad": forward, "input_grad": forward - layer_macs[0],
            "total": 3 * forward - layer_macs[0]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repetitions", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(1)
    model = dae_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.MSELoss()
    frame = torch.rand(1, WIDTHS[0])

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(frame), frame)
        loss.backward()
        optimizer.step()
        return loss

    for _ in range(args.warmup):
        step()
    samples = []
    clock = time.perf_counter_ns
    for _ in range(args.repetitions):
        start = clock()
        loss = step()
        samples.append((clock() - start) / 1000.0)
    samples.sort()
    n = len(samples)
    median = samples[n // 2] if n % 2 else 0.5 * (samples[n // 2 - 1] + samples[n // 2])

    macs = step_macs()
    json.dump({
        "benchmark": "dae_training_step",
        "framework": "pytorch",
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "batch": 1,
        "loss": "mse",
        "optimizer": "sgd",
        "step_us": {"median": median, "min": samples[0], "max": samples[-1], "repetitions": n},
        "macs_per_step": macs,
        "macs_per_second": macs["total"] / (median * 1e-6),
        "macs_per_second_best": macs["total"] / (samples[0] * 1e-6),
        "final_loss": float(loss),
    }, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
