#!/usr/bin/env python3
"""Runs utrain's and PyTorch's CNN training-step benchmarks (DS-CNN and ResNet8, batch 1, one
thread, SGD with momentum) in one run, on the same machine, alternating them over a few rounds
so that both see the same interference, then prints tables and writes a combined JSON.

    bench/run_cnn_benchmark.py [--bench build/release/bench/bench_cnn_step] [--rounds 3]
                               [--models ds_cnn resnet8] [--layouts chw hwc]
                               [--repetitions 200] [--layer-repetitions 31]
                               [--clock thread_cpu|wall] [--output bench/results/cnn_step.json]

It builds nothing: build bench_cnn_step first (cmake --build --preset release --target
bench_cnn_step). PyTorch (NCHW only) runs under /usr/bin/python3 (Debian's python3-torch) unless
--python says otherwise, once per model and round; utrain once per model, layout and round.
Per-round medians are combined by their median, minima by their minimum, the machine peak
(measured by bench_cnn_step) by its maximum, since interference only lowers it. Both sides time
with the thread's CPU time by default: both run one thread, so on an idle machine it is the
wall time, and on a crowded one it leaves out the time other processes hold the core (--clock
wall times what a user waits).

Tables: the whole step of each model and layout beside PyTorch's (µs, GMAC/s, % of the machine
peak, speed-up, peak training memory of both), then every layer step (FW, WG, IG) beside
PyTorch's time for the same layer step, with the kernel utrain ran and the operator PyTorch
ran, and last the layer steps where utrain is slowest relative to PyTorch.

The goal the tables report on is not a test: every model step faster than PyTorch's, and
utrain's planned peak training memory below PyTorch's measured peak.
"""
import argparse
import json
import os
import statistics
import sys

from host_run import cpu_model, run_json

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STEPS = ("fw", "act_bw", "wg", "ig")
MODEL_NAMES = {"ds_cnn": "DS-CNN", "resnet8": "ResNet8"}


def combine_steps(rounds):
    """One framework's whole-step rounds: median of the medians, minimum of the minima."""
    medians = [r["step_us"]["median"] for r in rounds]
    macs = rounds[0]["macs_per_step"]["total"]
    median = statistics.median(medians)
    return {
        "step_us_median": median,
        "step_us_min": min(r["step_us"]["min"] for r in rounds),
        "round_medians_us": medians,
        "spread": (max(medians) - min(medians)) / median,
        "macs_per_step": macs,
        "macs_per_second": macs / (median * 1e-6),
    }


def node_steps(rounds, key):
    """{(node, step): [per-round entries]} of one framework's per-layer breakdown."""
    table = {}
    for r in rounds:
        for layer in r[key]:
            for step in STEPS:
                if step in layer:
                    table.setdefault((layer["node"], step), []).append(layer[step])
    return table


def median_of(entries, field):
    return statistics.median(e[field] for e in entries)


def layer_rows(utrain_rounds, torch_rounds):
    """Every utrain node step beside PyTorch's step of the same node (nodes are numbered alike)."""
    ours, theirs = node_steps(utrain_rounds, "nodes"), node_steps(torch_rounds, "layers")
    torch_layers = {layer["node"]: layer for layer in torch_rounds[-1]["layers"]}
    rows = []
    for layer in utrain_rounds[-1]["nodes"]:
        other = torch_layers.get(layer["node"])
        if other is None or other["kind"] != layer["kind"]:
            sys.exit(f"node {layer['node']} ({layer['label']}) has no PyTorch counterpart of the same kind: "
                     f"{other['label'] if other else 'none'}")
        for step in STEPS:
            if step not in layer:
                continue
            entries = ours[(layer["node"], step)]
            us = median_of(entries, "median_us")
            row = {"node": layer["node"], "kind": layer["kind"], "label": layer["label"], "step": step,
                   "utrain_us": us, "utrain_min_us": min(e["min_us"] for e in entries), "macs": layer[step]["macs"],
                   "algorithm": layer[step].get("algorithm", ""), "kernel": layer[step].get("kernel", "")}
            if row["macs"]:
                row["utrain_macs_per_second"] = row["macs"] / (us * 1e-6)
            if "gather_us" in entries[0]:
                row["utrain_gather_us"] = median_of(entries, "gather_us")
                row["utrain_product_us"] = median_of(entries, "product_us")
                row["utrain_product_macs_per_second"] = row["macs"] / (row["utrain_product_us"] * 1e-6)
            if (layer["node"], step) in theirs:
                pt = theirs[(layer["node"], step)]
                row["pytorch_us"] = median_of(pt, "median_us")
                row["pytorch_min_us"] = min(e["min_us"] for e in pt)
                row["pytorch_op"] = pt[-1]["op"]
                row["pytorch_backend"] = other.get("backend", "")
                row["speedup"] = row["pytorch_us"] / us
                # Interference only slows a call down: the minima compare what each side can do.
                row["speedup_of_minima"] = row["pytorch_min_us"] / row["utrain_min_us"]
            rows.append(row)
    return rows


def totals(utrain_rounds, torch_rounds):
    """What the pieces add up to: utrain's node steps, updates and loss; PyTorch's step phases."""
    last = utrain_rounds[-1]
    updates = sum(n["update"]["median_us"] for n in last["nodes"] if "update" in n)
    phases = {k: statistics.median(r["phases_median_us"][k] for r in torch_rounds)
              for k in torch_rounds[-1]["phases_median_us"]}
    return {"utrain_node_steps_and_loss_us": statistics.median(r["node_steps_total_median_us"] for r in utrain_rounds),
            "utrain_updates_us": updates, "utrain_loss_us": last["loss_us"]["median_us"],
            "pytorch_phases_us": phases}


def memory(utrain, torch_rounds):
    pt = torch_rounds[-1]["memory"]
    keeping = torch_rounds[-1]["memory_keeping_gradients"]
    ours = utrain["memory"]
    with_input = ours["planned_total_bytes"] + ours["input_bytes"]
    return {"utrain": ours, "pytorch": pt, "pytorch_keeping_gradients": keeping,
            "utrain_with_input_bytes": with_input, "pytorch_peak_bytes": pt["peak_bytes"],
            "ratio": with_input / pt["peak_bytes"], "below_pytorch": with_input < pt["peak_bytes"]}


def print_step_table(results, peak, clock):
    p = peak["peak"]
    print(f"\nCNN training step, batch 1, one thread, SGD momentum 0.9 ({cpu_model()})")
    print(f"machine peak {p['macs_per_second'] / 1e9:.1f} GMAC/s ({p['isa']}); PyTorch NCHW; "
          f"{clock} clock; times are medians of the rounds' medians\n")
    print(f"{'model':9}{'layout':7}{'MACs':>10}{'utrain us':>11}{'min':>9}{'GMAC/s':>8}{'% peak':>8}"
          f"{'torch us':>11}{'min':>9}{'GMAC/s':>8}{'speed-up':>9}{'utrain B':>10}{'torch B':>10}{'ratio':>7}")
    for r in results:
        u, t, m = r["utrain"], r["pytorch"], r["memory"]
        print(f"{MODEL_NAMES[r['model']]:9}{r['layout']:7}{u['macs_per_step']:>10}{u['step_us_median']:11.1f}"
              f"{u['step_us_min']:9.1f}{u['macs_per_second'] / 1e9:8.2f}{100 * u['fraction_of_peak']:8.2f}"
              f"{t['step_us_median']:11.1f}{t['step_us_min']:9.1f}{t['macs_per_second'] / 1e9:8.2f}"
              f"{r['speedup']:8.2f}x{m['utrain_with_input_bytes']:>10}{m['pytorch_peak_bytes']:>10}{m['ratio']:7.2f}")
    print("\nutrain B: planned arena + input sample; torch B: measured peak of live tensor bytes in a step "
          "(zero_grad(set_to_none=True))")


def print_layer_table(r):
    print(f"\n{MODEL_NAMES[r['model']]} {r['layout'].upper()}: layer steps alone, median us "
          f"(speed-up = PyTorch / utrain)")
    print("(lowered steps: the gather or scatter and the product alone, with the product's GMAC/s)")
    print(f"{'node':>4} {'layer':42}{'step':7}{'utrain':>9}{'GMAC/s':>8}{'torch':>9}{'speed-up':>9}"
          f"{'gather':>8}{'product':>9}{'GMAC/s':>8}  utrain algorithm/kernel | PyTorch op")
    for row in r["layer_steps"]:
        gmacs = f"{row['utrain_macs_per_second'] / 1e9:8.2f}" if "utrain_macs_per_second" in row else f"{'':8}"
        torch_us = f"{row['pytorch_us']:9.1f}" if "pytorch_us" in row else f"{'':9}"
        speedup = f"{row['speedup']:8.2f}x" if "speedup" in row else f"{'':9}"
        parts = (f"{row['utrain_gather_us']:8.1f}{row['utrain_product_us']:9.1f}"
                 f"{row['utrain_product_macs_per_second'] / 1e9:8.2f}") if "utrain_gather_us" in row else f"{'':25}"
        ran = f"{row['algorithm']} {row['kernel']}".strip()
        theirs = f"{row.get('pytorch_backend', '')} {row.get('pytorch_op', '')}".strip()
        print(f"{row['node']:4} {row['label']:42}{row['step']:7}{row['utrain_us']:9.1f}{gmacs}{torch_us}{speedup}"
              f"{parts}  {ran} | {theirs}")
    tot = r["totals"]
    phases = ", ".join(f"{k} {v:.0f}" for k, v in tot["pytorch_phases_us"].items())
    print(f"utrain: node steps + updates + loss alone {tot['utrain_node_steps_and_loss_us']:.1f} us "
          f"(updates {tot['utrain_updates_us']:.1f}, loss {tot['utrain_loss_us']:.2f}) against the step's "
          f"{r['utrain']['step_us_median']:.1f}; PyTorch step phases: {phases}")


def print_slowest(results, count):
    rows = [dict(row, model=r["model"], layout=r["layout"]) for r in results for row in r["layer_steps"]
            if "speedup" in row]
    rows.sort(key=lambda row: row["speedup"])
    print(f"\nLayer steps slowest relative to PyTorch (lowest speed-up of the medians first, {count} of {len(rows)}):")
    for row in rows[:count]:
        gmacs = f"{row['utrain_macs_per_second'] / 1e9:6.2f} GMAC/s" if "utrain_macs_per_second" in row else ""
        print(f"  {MODEL_NAMES[row['model']]:8}{row['layout']:4} {row['node']:3} {row['label']:42}{row['step']:4}"
              f"{row['speedup']:6.2f}x (minima {row['speedup_of_minima']:5.2f}x)  utrain {row['utrain_us']:7.1f} us "
              f"{gmacs:13} {row['algorithm']} {row['kernel']} | torch {row['pytorch_us']:7.1f} us "
              f"{row.get('pytorch_op', '')}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", default=os.path.join(REPO, "build/release/bench/bench_cnn_step"),
                        help="path to bench_cnn_step")
    parser.add_argument("--python", default="/usr/bin/python3", help="interpreter that has torch")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--models", nargs="+", choices=sorted(MODEL_NAMES), default=["ds_cnn", "resnet8"])
    parser.add_argument("--layouts", nargs="+", choices=["chw", "hwc"], default=["chw", "hwc"])
    parser.add_argument("--repetitions", type=int, default=200, help="timed training steps per run")
    parser.add_argument("--layer-repetitions", type=int, default=31, help="samples per layer step")
    parser.add_argument("--clock", choices=["thread_cpu", "wall"], default="thread_cpu")
    parser.add_argument("--slowest", type=int, default=15, help="layer steps listed as slowest relative to PyTorch")
    parser.add_argument("--output", default=os.path.join(REPO, "bench/results/cnn_step.json"),
                        help="combined JSON ('-' for stdout only)")
    args = parser.parse_args()
    if not os.access(args.bench, os.X_OK):
        sys.exit(f"{args.bench} not found: build the bench_cnn_step target first")

    reps = ["--repetitions", str(args.repetitions), "--layer-repetitions", str(args.layer_repetitions),
            "--clock", args.clock]
    utrain_rounds = {(m, l): [] for m in args.models for l in args.layouts}
    torch_rounds = {m: [] for m in args.models}
    for i in range(args.rounds):
        for model in args.models:
            for layout in args.layouts:
                print(f"round {i + 1}/{args.rounds}: utrain {model} {layout} ...", file=sys.stderr, flush=True)
                utrain_rounds[(model, layout)].append(
                    run_json([args.bench, "--model", model, "--layout", layout] + reps))
            print(f"round {i + 1}/{args.rounds}: pytorch {model} ...", file=sys.stderr, flush=True)
            torch_rounds[model].append(run_json([args.python, os.path.join(REPO, "bench/pytorch_cnn_step.py"),
                                                 "--model", model] + reps))

    every_round = [r for rounds in utrain_rounds.values() for r in rounds]
    peak = max((r["machine_peak"] for r in every_round), key=lambda p: p["peak"]["macs_per_second"])
    results = []
    for (model, layout), rounds in utrain_rounds.items():
        ours, theirs = combine_steps(rounds), combine_steps(torch_rounds[model])
        if ours["macs_per_step"] != theirs["macs_per_step"]:
            sys.exit(f"{model}: utrain counts {ours['macs_per_step']} MACs per step, PyTorch {theirs['macs_per_step']}")
        for side in (ours, theirs):
            side["fraction_of_peak"] = side["macs_per_second"] / peak["peak"]["macs_per_second"]
        speedup = theirs["step_us_median"] / ours["step_us_median"]
        mem = memory(rounds[-1], torch_rounds[model])
        results.append({"model": model, "layout": layout, "utrain": ours, "pytorch": theirs, "speedup": speedup,
                        "faster_than_pytorch": speedup > 1.0, "memory": mem,
                        "layer_steps": layer_rows(rounds, torch_rounds[model]),
                        "totals": totals(rounds, torch_rounds[model])})

    print_step_table(results, peak, args.clock)
    for r in results:
        print_layer_table(r)
    print_slowest(results, args.slowest)
    met = all(r["faster_than_pytorch"] and r["memory"]["below_pytorch"] for r in results)
    verdict = "met" if met else "NOT met"
    print(f"\ngoal (every step faster than PyTorch, planned memory below PyTorch's peak): {verdict}")

    first_torch = next(iter(torch_rounds.values()))[0]
    combined = {
        "benchmark": "cnn_training_step",
        "machine": {"cpu": cpu_model(), "peak": peak},
        "rounds": args.rounds,
        "repetitions": args.repetitions,
        "layer_repetitions": args.layer_repetitions,
        "clock": args.clock,
        "torch_version": first_torch["torch_version"],
        "torch_blas": first_torch["blas"],
        "results": results,
        "goal_met": met,
    }
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
