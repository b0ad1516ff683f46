#!/usr/bin/env python3
"""MACs per instruction (one core) and per cluster cycle (8 harts) of every layer step of the
MLPerf Tiny training models on the device targets, counted exactly in QEMU.

    bench/run_device_benchmark.py [--target rv32imfc|rv32imafc|cortex_m4f|all]
                                  [--models dae ds_cnn resnet8] [--build build/cross]
                                  [--no-build] [--host-build build/release] [--plugin PATH]
                                  [--output-dir bench/results] [--timeout 600]

Targets (aliases in brackets): rv32imfc [rv32-1] one RISC-V hart, rv32imafc [rv32-8] the
8-hart cluster, cortex_m4f [m4] Cortex-M4F on mps2-an386; all (the default) runs the three.
Each target's images are cross-built with scripts/cross_build.sh into BUILD/<target> (--no-build
uses the images already there). The image of each model (bench/device/model_steps.cpp: batch 1,
CHW, SGD with momentum 0.9, the device's default kernels) runs under `-icount shift=0` with the
instruction-count plugin (host build target utrain_instruction_count, built in --host-build when
missing), which counts every hart's instructions in each region the program marks: every part
of one training step (a node's forward, fused activation backward, weight gradient, input
gradient, update; the loss), the whole step, and each step's matrix product alone.

A region's cluster cycles are its busiest hart's instruction count: exact under -icount, and a
proxy for cycles on single-issue in-order cores with single-cycle memory. On one core the cycles
are the instructions. Harts wait at joins and barriers asleep (WFI), uncounted, so on 8 harts a
region's cycles are a lower bound of its time; the step's parts added up ("whole step, parts
added") bound it more tightly than the whole-step region. MACs are counted analytically by the
program (node_step_macs).

Prints per model a table of every part (MACs, cycles, instructions of all harts, MAC per cycle,
and the product alone beside the step), a summary (FW, WG, IG, the other parts, the whole step),
then the figures the goals of issue 6 name, beside their bars and PULP-TrainLib's figures
measured the same way; writes OUTPUT_DIR/device_<target>.json and .md.

Fails (exit 1, naming the problem) when a build or a program fails, when a region has no count,
or when the program's region lines and the plugin's counts do not pair up.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = ("dae", "ds_cnn", "resnet8")
MODEL_NAMES = {"dae": "Deep AutoEncoder", "ds_cnn": "DS-CNN", "resnet8": "ResNet8"}
TARGETS = {
    "rv32imfc": {"harts": 1, "device": "RV32IMFC, one hart (qemu-system-riscv32 -M virt)"},
    "rv32imafc": {"harts": 8, "device": "RV32IMAFC, 8 harts (qemu-system-riscv32 -M virt -smp 8)"},
    "cortex_m4f": {"harts": 1, "device": "Cortex-M4F (qemu-system-arm -M mps2-an386)"},
}
ALIASES = {"rv32-1": "rv32imfc", "rv32-8": "rv32imafc", "m4": "cortex_m4f"}
PHASES = ("fw", "act_bw", "wg", "ig", "update", "loss")
PHASE_NAMES = {"fw": "FW", "act_bw": "activation backward", "wg": "WG", "ig": "IG", "update": "update",
               "loss": "loss"}
# Whole training steps of the FP16 paper (8 cores, real cycles; ../shared/papers.md).
PAPER_STEP = {"ds_cnn": 0.81, "resnet8": 3.11}
# PULP-TrainLib's FP32 kernels compiled for plain rv32imfc and counted in this QEMU setup (issue 6).
PULP_TRAINLIB = {"conv_1": 0.533, "conv_8": 4.25, "linear_1": {"fw": 0.29, "ig": 0.40, "wg": 0.22}}


class BenchError(Exception):
    pass


def fail(message):
    raise BenchError(message)


def run(command, what, timeout=None):
    try:
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        fail(f"{what}: no result after {timeout} s ({' '.join(command)})")
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-30:])
        fail(f"{what} failed (exit {result.returncode}): {' '.join(command)}\n{tail}")
    return result.stdout


def plugin_path(args):
    if args.plugin:
        if not os.path.isfile(args.plugin):
            fail(f"no instruction-count plugin at {args.plugin}")
        return os.path.abspath(args.plugin)
    host = os.path.abspath(args.host_build)
    path = os.path.join(host, "targets", "qemu", "libutrain_instruction_count.so")
    if not os.path.isfile(path):
        if not os.path.isfile(os.path.join(host, "CMakeCache.txt")):
            run(["cmake", "-S", REPO, "-B", host, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release"],
                f"configuring the host build {host}")
        run(["cmake", "--build", host, "--target", "utrain_instruction_count"], "building the plugin")
    return path


def image_path(build, model):
    return os.path.join(build, "bench", "device", f"device_bench_model_steps_{model}.elf")


def fields(text):
    return dict(item.split("=", 1) for item in text.split())


def parse_output(output, model, harts):
    """The program's node and region lines and the plugin's counts of one image's run, paired."""
    nodes, regions, summary, counts = {}, [], None, []
    for line in output.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "bench_error":
            fail(f"{model}: the program reports {rest}")
        if kind == "bench_node":
            f = fields(rest)
            nodes[int(f["node"])] = f
        elif kind in ("bench_step", "bench_product"):
            f = fields(rest)
            f["type"] = "product" if kind == "bench_product" else "step"
            regions.append(f)
        elif kind == "bench_model":
            summary = fields(rest)
        elif re.match(r"instruction_count: \d+ more regions not recorded", line):
            fail(f"{model}: the plugin dropped regions: {line}")
        else:
            m = re.match(r"instruction_count: region (\d+):(.*) max=(\d+) sum=(\d+)$", line)
            if m:
                per_hart = [int(v) for v in re.findall(r"hart\d+=(\d+)", m.group(2))]
                counts.append({"index": int(m.group(1)), "harts": per_hart, "max": int(m.group(3)),
                               "sum": int(m.group(4))})
    if summary is None:
        fail(f"{model}: the program printed no bench_model line")
    if int(summary["members"]) != harts:
        fail(f"{model}: the program ran on {summary['members']} members, the target has {harts} harts")
    if len(regions) != len(counts):
        fail(f"{model}: the program printed {len(regions)} region lines, the plugin counted {len(counts)} regions")
    rows = []
    for i, (region, count) in enumerate(zip(regions, counts)):
        if int(region["region"]) != i or count["index"] != i:
            fail(f"{model}: region line {region['region']} and count {count['index']} at position {i}")
        if len(count["harts"]) != harts:
            fail(f"{model}: region {i} was counted on {len(count['harts'])} harts, not {harts}")
        if count["max"] == 0:
            fail(f"{model}: region {i} ({region['kind']} {region['phase']}) counted no instructions")
        node = int(region["node"])
        macs = int(region["macs"])
        row = {"region": i, "type": region["type"], "node": node, "kind": region["kind"], "phase": region["phase"],
               "kernel": region["kernel"], "macs": macs, "cycles": count["max"], "instructions": count["sum"],
               "per_hart": count["harts"], "macs_per_cycle": macs / count["max"]}
        if node in nodes:
            row["label"] = node_label(nodes[node])
            row["window"] = nodes[node]["window"]
        if region["type"] == "product":
            row["mnk"] = [int(region["m"]), int(region["n"]), int(region["k"])]
        rows.append(row)
    return rows, summary


def node_label(node):
    label = f"{node['kind']} {node['input']}->{node['output']}"
    if node["window"] != "-":
        label += f" k{node['window']} s{node['stride']}"
    return label


def phase_totals(rows):
    """MACs, cycles and instructions of the step's parts per phase, the parts together, the whole step."""
    parts = [r for r in rows if r["type"] == "step" and r["node"] >= 0]
    whole = [r for r in rows if r["type"] == "step" and r["node"] < 0]
    if len(whole) != 1:
        fail(f"{len(whole)} whole-step regions, expected 1")
    totals = {}
    for name, members in [(p, [r for r in parts if r["phase"] == p]) for p in PHASES] + [("parts", parts),
                                                                                         ("train_step", whole)]:
        macs = sum(r["macs"] for r in members)
        cycles = sum(r["cycles"] for r in members)
        totals[name] = {"macs": macs, "cycles": cycles, "instructions": sum(r["instructions"] for r in members),
                        "macs_per_cycle": macs / cycles if cycles else 0.0, "regions": len(members)}
    # What hart 0 runs between the parts (the trainer's views and dispatch; the other harts sleep
    # there). Not the difference of the cycles: a part's cycles are its busiest hart's, not always
    # hart 0's, so the parts' cycles can add up to more than the whole step's.
    hart0 = whole[0]["per_hart"][0] - sum(r["per_hart"][0] for r in parts)
    totals["outside_parts"] = {"macs": 0, "cycles": hart0, "instructions": hart0, "macs_per_cycle": 0.0,
                               "regions": 0}
    # Harts wait asleep (WFI) at a join or a barrier, uncounted, so a region's busiest hart is a
    # lower bound of its cycles, and a tighter one over shorter regions: the step's cycles as its
    # parts' added up (and hart 0's between them) is closer to the cluster's time than the
    # whole-step region's busiest hart. On one core both are the same.
    macs = totals["train_step"]["macs"]
    cycles = totals["parts"]["cycles"] + hart0
    totals["parts_added"] = {"macs": macs, "cycles": cycles,
                             "instructions": totals["parts"]["instructions"] + hart0,
                             "macs_per_cycle": macs / cycles, "regions": len(parts)}
    return totals


def run_target(target, args, plugin):
    harts = TARGETS[target]["harts"]
    build = os.path.abspath(os.path.join(args.build, target))
    if not args.no_build:
        run(["bash", os.path.join(REPO, "scripts", "cross_build.sh"), target, build], f"cross-building {target}")
    models = {}
    for model in args.models:
        image = image_path(build, model)
        if not os.path.isfile(image):
            fail(f"no image {image} (build it, or leave out --no-build)")
        output = run(["bash", os.path.join(REPO, "scripts", "qemu_run.sh"), target, image, "--icount", "--count",
                      plugin, "--timeout", str(args.timeout)], f"{target} {model} in QEMU")
        rows, summary = parse_output(output, model, harts)
        totals = phase_totals(rows)
        # A batch-1 Linear layer's weight gradient is formed by its update: WG MACs in update regions.
        for phases, key in ((("fw",), "fw_macs"), (("wg", "update"), "wg_macs"), (("ig",), "ig_macs")):
            macs = sum(totals[phase]["macs"] for phase in phases)
            if macs != int(summary[key]):
                fail(f"{model}: the {'/'.join(phases)} regions add up to {macs} MACs, the program counted "
                     f"{summary[key]}")
        if totals["train_step"]["macs"] != int(summary["total_macs"]):
            fail(f"{model}: the whole step has {totals['train_step']['macs']} MACs, the program counted "
                 f"{summary['total_macs']}")
        models[model] = {"plan_bytes": int(summary["plan_bytes"]), "loss": float(summary["loss"]),
                         "macs": {"fw": int(summary["fw_macs"]), "wg": int(summary["wg_macs"]),
                                  "ig": int(summary["ig_macs"]), "total": int(summary["total_macs"])},
                         "totals": totals, "regions": rows}
    return {"target": target, "device": TARGETS[target]["device"], "harts": harts, "models": models,
            "goals": goals(target, harts, models)}


def paired_parts(rows):
    """Every part of the step (not the whole step), with the product-alone row of the same step or None."""
    products = {(r["node"], r["phase"]): r for r in rows if r["type"] == "product"}
    return [(r, products.get((r["node"], r["phase"]))) for r in rows if r["type"] == "step" and r["node"] >= 0]


def conv_goal_set(models):
    """Steps of the pointwise (1x1) and 3x3 convolutions of DS-CNN and ResNet8."""
    return [(model, r, p) for model in ("ds_cnn", "resnet8") if model in models
            for r, p in paired_parts(models[model]["regions"])
            if r["kind"] == "conv2d" and r.get("window") in ("1x1", "3x3") and r["macs"]]


def spread(entries):
    """Worst, median and best MAC per cycle of (name, value) pairs."""
    values = sorted(entries, key=lambda e: e[1])
    return {"worst": values[0][1], "worst_step": values[0][0], "median": statistics.median(v for _, v in values),
            "best": values[-1][1], "best_step": values[-1][0], "count": len(values)}


def goal(name, measure, entries, bar=None, reference=None):
    g = {"goal": name, "measure": measure, **spread(entries)}
    if bar is not None:
        g["bar"] = bar
        g["met"] = g["worst"] >= bar
    if reference is not None:
        g["reference"] = reference
    return g


def step_name(model, row):
    return f"{model} node {row['node']} {row['phase']}"


def goals(target, harts, models):
    """The figures issue 6's goals name, for this target."""
    unit = "MAC/cycle" if harts > 1 else "MAC/instr"
    out = []
    conv = conv_goal_set(models)
    if conv:
        bar = {"rv32imfc": 0.65, "rv32imafc": 5.0, "cortex_m4f": 0.5}[target]
        reference = {"rv32imfc": f"PULP-TrainLib best {PULP_TRAINLIB['conv_1']}",
                     "rv32imafc": f"PULP-TrainLib best {PULP_TRAINLIB['conv_8']}",
                     "cortex_m4f": "paper's STM32L4 about 0.12 MAC/cycle"}[target]
        name = f"pointwise and 3x3 conv steps, {unit}"
        products = [(step_name(m, p), p["macs_per_cycle"]) for m, _, p in conv if p is not None]
        if products:
            out.append(goal(name, "matrix product alone", products, bar, reference))
        out.append(goal(name, "whole step (im2col, col2im, transposes)",
                        [(step_name(m, r), r["macs_per_cycle"]) for m, r, _ in conv], bar, reference))
    if "dae" in models:
        rows = models["dae"]["regions"]
        # Every product a layer step has, also a weight gradient the update forms instead (its
        # product is what a step accumulating gradients runs); and the layer steps that multiply.
        products = [r for r in rows if r["type"] == "product" and r["kind"] == "linear"]
        steps = [r for r in rows if r["type"] == "step" and r["kind"] == "linear" and r["phase"] in ("fw", "wg", "ig")
                 and r["macs"]]
        bar = 0.45 if target == "rv32imfc" else None
        for measure, chosen in (("matrix product alone", products), ("whole step", steps)):
            entries = [(step_name("dae", r), r["macs_per_cycle"]) for r in chosen]
            if entries:
                reference = None
                if target == "rv32imfc":
                    lin = PULP_TRAINLIB["linear_1"]
                    reference = f"PULP-TrainLib FW {lin['fw']}, IG {lin['ig']}, WG {lin['wg']}"
                out.append(goal(f"DAE batch-1 Linear steps, {unit}", measure, entries, bar, reference))
    measures = [("train_step", "whole-step region")]
    if harts > 1:
        measures.append(("parts_added", "whole step, parts added"))
    for model, paper in PAPER_STEP.items():
        if model not in models:
            continue
        for key, measure in measures:
            entry = [(f"{model} training step", models[model]["totals"][key]["macs_per_cycle"])]
            out.append(goal(f"{MODEL_NAMES[model]} whole training step, {unit}", measure, entry,
                            paper if harts > 1 else None, f"FP16 paper {paper} MAC/cycle on 8 cores"))
    return out


def fmt_int(v):
    return f"{v:,}"


def table(headers, rows, aligns):
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    def line(cells):
        return "  ".join(c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(cells, widths, aligns))
    return [line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows]


def markdown(headers, rows, aligns):
    out = ["| " + " | ".join(headers) + " |",
           "|" + "|".join("---:" if a == "r" else "---" for a in aligns) + "|"]
    return out + ["| " + " | ".join(r) + " |" for r in rows]


def model_tables(result, model):
    """(title, headers, rows, aligns) of the model's per-part table and of its summary."""
    harts = result["harts"]
    data = result["models"][model]
    per_cycle = "MAC/cycle" if harts > 1 else "MAC/instr"
    headers = ["node", "layer", "step", "kernel", "MACs", "cycles" if harts > 1 else "instr"]
    if harts > 1:
        headers.append("instr (all harts)")
    headers += [per_cycle, f"product {per_cycle}"]
    aligns = ["r", "l", "l", "l", "r", "r"] + (["r"] if harts > 1 else []) + ["r", "r"]
    body = []
    for r, p in paired_parts(data["regions"]):
        cells = [str(r["node"]), r.get("label", r["kind"]), r["phase"], r["kernel"], fmt_int(r["macs"]),
                 fmt_int(r["cycles"])]
        if harts > 1:
            cells.append(fmt_int(r["instructions"]))
        cells += [f"{r['macs_per_cycle']:.3f}" if r["macs"] else "-", f"{p['macs_per_cycle']:.3f}" if p else "-"]
        body.append(cells)
    summary_headers = ["part", "regions", "MACs", "cycles" if harts > 1 else "instr"] + (
        ["instr (all harts)"] if harts > 1 else []) + [per_cycle]
    summary = []
    keys = PHASES + ("parts", "outside_parts", "train_step") + (("parts_added",) if harts > 1 else ())
    for key in keys:
        t = data["totals"][key]
        name = {"parts": "all parts", "outside_parts": "between the parts (hart 0)",
                "train_step": "whole training step", "parts_added": "whole step, parts added"}.get(
                    key, PHASE_NAMES.get(key, key))
        cells = [name, str(t["regions"]) if key not in ("outside_parts", "parts_added") else "-", fmt_int(t["macs"]),
                 fmt_int(t["cycles"])]
        if harts > 1:
            cells.append(fmt_int(t["instructions"]))
        cells.append(f"{t['macs_per_cycle']:.3f}" if t["macs"] else "-")
        summary.append(cells)
    summary_aligns = ["l", "r", "r", "r"] + (["r"] if harts > 1 else []) + ["r"]
    title = (f"{MODEL_NAMES[model]}: {fmt_int(data['macs']['total'])} MACs per training step "
             f"(FW {fmt_int(data['macs']['fw'])}, WG {fmt_int(data['macs']['wg'])}, IG {fmt_int(data['macs']['ig'])}), "
             f"plan {fmt_int(data['plan_bytes'])} bytes")
    return title, (headers, body, aligns), (summary_headers, summary, summary_aligns)


def goal_rows(result):
    headers = ["goal", "measure", "worst", "worst step", "median", "best", "bar", "met", "reference"]
    aligns = ["l", "l", "r", "l", "r", "r", "r", "l", "l"]
    rows = []
    for g in result["goals"]:
        met = "-" if g.get("met") is None else ("yes" if g["met"] else "no")
        rows.append([g["goal"], g["measure"], f"{g['worst']:.3f}", g["worst_step"], f"{g['median']:.3f}",
                     f"{g['best']:.3f}", str(g.get("bar", "-")), met, g.get("reference", "")])
    return headers, rows, aligns


NOTE = ("instructions counted exactly under -icount shift=0; an instruction count is a proxy for cycles on a "
        "single-issue in-order core with single-cycle memory")
CLUSTER_NOTE = ("cycles of a region = its busiest hart's instructions; harts wait at joins and barriers asleep, "
                "uncounted, so a region's cycles are a lower bound, and the parts added up bound the step's cycles "
                "more tightly than the whole-step region")


def render(result, style):
    emit = table if style == "text" else markdown
    out = []
    heading = (lambda text, level: [f"{'#' * level} {text}", ""]) if style == "md" else (lambda text, level: [text])
    out += heading(f"Device benchmark: {result['target']}, {result['device']}", 2)
    notes = [NOTE] + ([CLUSTER_NOTE] if result["harts"] > 1 else [])
    out += [f"Batch 1, CHW, SGD with momentum 0.9, default kernels; {'; '.join(notes)}.", ""]
    for model in result["models"]:
        title, parts, summary = model_tables(result, model)
        out += heading(title, 3)
        out += emit(*parts) + [""] + emit(*summary) + [""]
    out += heading("Goals of issue 6", 3)
    out += emit(*goal_rows(result)) + [""]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default="all", choices=sorted(TARGETS) + sorted(ALIASES) + ["all"])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--build", default=os.path.join(REPO, "build", "cross"),
                        help="parent folder of the cross builds (one folder per target)")
    parser.add_argument("--no-build", action="store_true", help="use the images already in the build folders")
    parser.add_argument("--host-build", default=os.path.join(REPO, "build", "release"),
                        help="host build holding (or to build) the instruction-count plugin")
    parser.add_argument("--plugin", help="the instruction-count plugin (default: from --host-build)")
    parser.add_argument("--output-dir", default=os.path.join(REPO, "bench", "results"))
    parser.add_argument("--timeout", type=int, default=600, help="seconds per image run")
    args = parser.parse_args()
    targets = list(TARGETS) if args.target == "all" else [ALIASES.get(args.target, args.target)]
    try:
        plugin = plugin_path(args)
        os.makedirs(args.output_dir, exist_ok=True)
        for target in targets:
            result = run_target(target, args, plugin)
            print(render(result, "text"))
            base = os.path.join(args.output_dir, f"device_{target}")
            with open(base + ".json", "w", encoding="utf-8") as f:
                json.dump(result, f, indent=1)
            with open(base + ".md", "w", encoding="utf-8") as f:
                f.write(render(result, "md") + "\n")
            print(f"wrote {base}.json and {base}.md\n")
    except BenchError as e:
        sys.exit(f"run_device_benchmark: {e}")


if __name__ == "__main__":
    main()
