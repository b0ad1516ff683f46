#!/usr/bin/env python3
"""Smoke test of bench/run_device_benchmark.py on the Deep AutoEncoder's image (CTest,
device_bench_rv32imafc_smoke): the run succeeds and its JSON and markdown are well formed, and
every MAC count equals the analytical count of the model (Linear 640→128→128→128→128→8→128→
128→128→128→640, batch 1). It asserts structure and counts, never a speed.

    check_device_benchmark.py TARGET CROSS_PARENT PLUGIN OUTPUT_DIR
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WIDTHS = [640, 128, 128, 128, 128, 8, 128, 128, 128, 128, 640]
HARTS = {"rv32imfc": 1, "rv32imafc": 8, "cortex_m4f": 1}


def expect(condition, message):
    if not condition:
        sys.exit(f"check_device_benchmark: {message}")


def main():
    target, cross, plugin, output_dir = sys.argv[1:5]
    subprocess.run([sys.executable, os.path.join(HERE, "..", "run_device_benchmark.py"), "--target", target,
                    "--models", "dae", "--build", cross, "--no-build", "--plugin", plugin, "--output-dir",
                    output_dir], check=True)
    with open(os.path.join(output_dir, f"device_{target}.json"), encoding="utf-8") as f:
        result = json.load(f)
    expect(result["target"] == target and result["harts"] == HARTS[target], f"target {result['target']}")
    expect(list(result["models"]) == ["dae"], f"models {list(result['models'])}")
    dae = result["models"]["dae"]

    # Node 2i+1 is the i-th Linear layer (a ReLU follows all but the last); the first sends no
    # input gradient.
    layers = {2 * i + 1: WIDTHS[i] * WIDTHS[i + 1] for i in range(len(WIDTHS) - 1)}
    want = {(node, phase): macs for node, macs in layers.items() for phase in ("fw", "wg", "ig")
            if not (node == 1 and phase == "ig")}
    fw = sum(layers.values())
    totals = {"fw": fw, "wg": fw, "ig": fw - layers[1], "total": 3 * fw - layers[1]}
    expect(dae["macs"] == totals, f"MACs {dae['macs']}, want {totals}")

    steps = {(r["node"], r["phase"]): r for r in dae["regions"] if r["type"] == "step" and r["node"] > 0}
    products = {(r["node"], r["phase"]): r for r in dae["regions"] if r["type"] == "product"}
    whole = [r for r in dae["regions"] if r["type"] == "step" and r["node"] < 0]
    # Batch 1: each weight gradient is formed by its layer's update (the WG step computes the bias
    # gradient alone), so the WG MACs are counted in the update; its product is measured alone.
    counted = {(node, "update" if phase == "wg" else phase): macs for (node, phase), macs in want.items()}
    for key, macs in want.items():
        expect(key in products and products[key]["macs"] == macs, f"product {key}: {products.get(key)}")
    for key, macs in counted.items():
        expect(key in steps and steps[key]["macs"] == macs, f"step {key}: {steps.get(key)}, want {macs} MACs")
        if key[1] != "update":
            expect(steps[key]["kernel"].startswith("mm_f32_"), f"step {key} names no kernel: {steps[key]['kernel']}")
    for node in layers:
        expect(steps[(node, "wg")]["macs"] == 0 and steps[(node, "wg")]["kernel"] == "-", f"WG step of node {node}")
    expect(sorted(products) == sorted(want), f"products {sorted(products)}")
    expect({k for k, r in steps.items() if r["macs"]} == set(counted), "steps with MACs other than the Linear steps")
    # A ReLU is fused into each Linear layer but the last: its backward and every update are parts too.
    for node in layers:
        expect((node, "update") in steps, f"no update of node {node}")
        expect(((node, "act_bw") in steps) == (node != max(layers)), f"activation backward of node {node}")
    expect(len(whole) == 1 and whole[0]["macs"] == totals["total"], f"whole step {whole}")
    expect([r["region"] for r in dae["regions"]] == list(range(len(dae["regions"]))), "regions out of order")
    for r in dae["regions"]:
        expect(len(r["per_hart"]) == result["harts"], f"region {r['region']}: {len(r['per_hart'])} harts")
        expect(r["cycles"] == max(r["per_hart"]) > 0 and r["instructions"] == sum(r["per_hart"]),
               f"region {r['region']}: cycles {r['cycles']}, instructions {r['instructions']}")
        expect(abs(r["macs_per_cycle"] - r["macs"] / r["cycles"]) < 1e-12, f"region {r['region']}: MAC/cycle")
    expect(dae["totals"]["parts"]["macs"] == totals["total"], f"parts {dae['totals']['parts']}")
    expect(any(g["goal"].startswith("DAE batch-1 Linear") for g in result["goals"]), "no DAE goal row")

    with open(os.path.join(output_dir, f"device_{target}.md"), encoding="utf-8") as f:
        md = f.read().splitlines()
    step_lines = [line for line in md if line.startswith("| ") and " | linear " in line]
    expect(len(step_lines) == len(steps), f"{len(step_lines)} markdown step rows, {len(steps)} steps")
    expect(any(line.startswith("| whole training step |") for line in md), "no whole-step row in the markdown")
    print(f"check_device_benchmark: {target} dae: {len(dae['regions'])} regions, {totals['total']} MACs per step")


if __name__ == "__main__":
    main()
