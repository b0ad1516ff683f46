#!/usr/bin/env python3
"""Runs utrain's and PyTorch's Deep AutoEncoder training-step benchmarks in one run, on the same
machine, alternating them over a few rounds so that both see the same interference, then prints
a table and writes a combined JSON.

    bench/run_dae_benchmark.py [--bench build/release/bench/bench_dae_step] [--rounds 3]
                               [--repetitions 2000] [--output bench/results/dae_step.json]

It builds nothing: build bench_dae_step first (cmake --build --preset release --target
bench_dae_step). PyTorch runs under /usr/bin/python3 (Debian's python3-torch) unless --python
says otherwise. The per-round medians are combined by their median; minima by their minimum; the
machine peak (measured by bench_dae_step) by its maximum, since interference only lowers it.

The goal the table reports on is not a test: utrain at least 3x faster than PyTorch, with the
generic kernels of a baseline x86-64 build.
"""
import argparse
import json
import os
import statistics
import sys

from host_run import cpu_model, run_json

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOAL_SPEEDUP = 3.0


def combine(rounds):
    """One framework's rounds: median of the medians, minimum of the minima."""
    medians = [r["step_us"]["median"] for r in rounds]
    macs = rounds[0]["macs_per_step"]["total"]
    median = statistics.median(medians)
    best = min(r["step_us"]["min"] for r in rounds)
    return {
        "step_us_median": median,
        "step_us_min": best,
        "round_medians_us": medians,
        "spread": (max(medians) - min(medians)) / median,
        "macs_per_step": macs,
        "macs_per_second": macs / (median * 1e-6),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", default=os.path.join(REPO, "build/release/bench/bench_dae_step"),
                        help="path to bench_dae_step")
    parser.add_argument("--python", default="/usr/bin/python3", help="interpreter that has torch")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repetitions", type=int, default=2000)
    parser.add_argument("--output", default=os.path.join(REPO, "bench/results/dae_step.json"),
                        help="combined JSON ('-' for stdout only)")
    args = parser.parse_args()
    if not os.access(args.bench, os.X_OK):
        sys.exit(f"{args.bench} not found: build the bench_dae_step target first")

    utrain_rounds, torch_rounds = [], []
    for i in range(args.rounds):
        print(f"round {i + 1}/{args.rounds}: utrain ...", file=sys.stderr, flush=True)
        utrain_rounds.append(run_json([args.bench, "--repetitions", str(args.repetitions)]))
        print(f"round {i + 1}/{args.rounds}: pytorch ...", file=sys.stderr, flush=True)
        torch_rounds.append(run_json([args.python, os.path.join(REPO, "bench/pytorch_dae_step.py"),
                                      "--repetitions", str(args.repetitions)]))

    peak = max((r["machine_peak"] for r in utrain_rounds), key=lambda p: p["peak"]["macs_per_second"])
    sse2 = next(level for level in peak["levels"] if level["isa"] == "sse2_mul_add")
    ours, theirs = combine(utrain_rounds), combine(torch_rounds)
    for side in (ours, theirs):
        side["fraction_of_peak"] = side["macs_per_second"] / peak["peak"]["macs_per_second"]
        side["fraction_of_sse2_peak"] = side["macs_per_second"] / sse2["macs_per_second"]
    speedup = theirs["step_us_median"] / ours["step_us_median"]
    combined = {
        "benchmark": "dae_training_step",
        "machine": {"cpu": cpu_model(), "peak": peak},
        "rounds": args.rounds,
        "repetitions": args.repetitions,
        "torch_version": torch_rounds[0]["torch_version"],
        "utrain": ours,
        "pytorch": theirs,
        "speedup": speedup,
        "goal_speedup": GOAL_SPEEDUP,
        "goal_met": speedup >= GOAL_SPEEDUP,
        "utrain_nodes": utrain_rounds[-1]["nodes"],
        "utrain_node_steps_total_median_us": utrain_rounds[-1]["node_steps_total_median_us"],
    }

    p = peak["peak"]
    print(f"\nDeep AutoEncoder training step, batch 1, one thread ({cpu_model()})")
    print(f"machine peak {p['macs_per_second'] / 1e9:.1f} GMAC/s ({p['isa']}); "
          f"SSE2 mul+add {sse2['macs_per_second'] / 1e9:.1f} GMAC/s; {ours['macs_per_step']} MACs per step\n")
    print(f"{'':10}{'median us':>11}{'min us':>9}{'GMAC/s':>9}{'% peak':>8}{'% SSE2':>8}{'spread':>8}")
    for name, side in (("utrain", ours), ("pytorch", theirs)):
        print(f"{name:10}{side['step_us_median']:11.1f}{side['step_us_min']:9.1f}"
              f"{side['macs_per_second'] / 1e9:9.2f}{100 * side['fraction_of_peak']:8.2f}"
              f"{100 * side['fraction_of_sse2_peak']:8.2f}{100 * side['spread']:7.0f}%")
    verdict = "met" if combined["goal_met"] else "NOT met"
    print(f"\nspeed-up {speedup:.2f}x (goal >= {GOAL_SPEEDUP:.0f}x: {verdict})")
    print(f"\nutrain layer steps, fused ReLU backward and SGD updates alone (median us), with the loss "
          f"{combined['utrain_node_steps_total_median_us']:.1f}:")
    for layer in combined["utrain_nodes"]:
        steps = "  ".join(f"{s} {layer[s]['median_us']:6.2f}"
                          + (f" ({layer[s]['kernel'][7:]})" if "kernel" in layer[s] else "")
                          for s in ("fw", "act_bw", "wg", "ig") if s in layer)
        print(f"  {layer['label'][7:]:12} {steps}  sgd {layer['update']['median_us']:6.2f}")

    text = json.dumps(combined, indent=2)
    if args.output == "-":
        print(text)
    else:
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
