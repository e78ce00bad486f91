#!/usr/bin/env python3
"""Issue 2's speed table: `switchyard bench --compare-onnxruntime` on the four example models at batch 1
and 8, 1 and 2 threads (det at batch 1: its batch of 8 at 640x640 takes minutes), Switchyard and ONNX
Runtime side by side in one run per model. Prints a Markdown table, the geometric means per thread
count and overall, and the rows over the issue's 1.5 limit. `--repeats N` runs the whole sweep N times
and reports each row's median ratio (the machine is shared and noisy).

Run from the repo root after a release build:
    .venv/bin/python benchmarks/engine.py [--switchyard .build/release/switchyard] [--repeats 3]
"""
import argparse
import json
import math
import statistics
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = [
    ("cls", "ch_ppocr_mobile_v2.0_cls_infer.onnx", "x=1x3x48x192", "1,8", 20),
    ("rec", "ch_PP-OCRv4_rec_infer.onnx", "x=1x3x48x320", "1,8", 10),
    ("det", "ch_PP-OCRv4_det_infer.onnx", "x=1x3x640x640", "1", 10),
    ("yolo", "yolov8n-320.onnx", "images=1x3x320x320", "1,8", 10),
]


def bench(binary, file, shape, batches, iterations, threads):
    command = [binary, "bench", str(ROOT / "models" / file), "--shape", shape, "--batch", batches,
               "--threads", threads, "--iterations", str(iterations), "--compare-onnxruntime", "--json"]
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(run.stdout)["results"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--switchyard", default=str(ROOT / ".build/release/switchyard"))
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--models", default="cls,rec,det,yolo")
    arguments = parser.parse_args()
    chosen = set(arguments.models.split(","))
    rows = {}  # (model, batch, threads) -> list of (ours, theirs) seconds
    for repeat in range(arguments.repeats):
        for name, file, shape, batches, iterations in MODELS:
            if name not in chosen:
                continue
            for result in bench(arguments.switchyard, file, shape, batches, iterations, arguments.threads):
                key = (name, result["batch"], result["threads"])
                rows.setdefault(key, []).append((result["medianSeconds"], result["onnxRuntime"]["medianSeconds"]))
            print(f"repeat {repeat + 1}/{arguments.repeats}: {name} done", flush=True)

    print("\n| model | batch | threads | Switchyard median | ORT median | ratio (median of repeats) |")
    print("|---|---:|---:|---:|---:|---:|")
    ratios = {}
    for (name, batch, threads), runs in sorted(rows.items(), key=lambda item: ([m[0] for m in MODELS].index(item[0][0]), item[0][1], item[0][2])):
        ratio = statistics.median(ours / theirs for ours, theirs in runs)
        ratios[(name, batch, threads)] = ratio
        ours = statistics.median(r[0] for r in runs) * 1e3
        theirs = statistics.median(r[1] for r in runs) * 1e3
        spread = f" ({min(o / t for o, t in runs):.2f}–{max(o / t for o, t in runs):.2f})" if len(runs) > 1 else ""
        print(f"| {name} | {batch} | {threads} | {ours:.2f} ms | {theirs:.2f} ms | {ratio:.2f}{spread} |")

    def geomean(values):
        return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")

    for threads in sorted({key[2] for key in ratios}):
        print(f"geometric mean, {threads} thread(s): {geomean([r for k, r in ratios.items() if k[2] == threads]):.2f}")
    print(f"geometric mean, all rows: {geomean(list(ratios.values())):.2f}")
    over = [f"{k[0]} b{k[1]} t{k[2]} ({r:.2f})" for k, r in ratios.items() if r > 1.5]
    print("rows over 1.5: " + (", ".join(over) if over else "none"))


if __name__ == "__main__":
    main()
