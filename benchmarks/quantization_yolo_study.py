#!/usr/bin/env python3
"""What limits YOLOv8n's INT8 detection agreement (issue 4: >= 95 % on the 100 held-out views): one static INT8
file per recipe, each scored by `switchyard validate --metric detection --json` on the validation split against the
FP32 model. Recipes vary one thing at a time from the default (minmax, per-channel 7-bit weights, u8 activations,
quantized after each SiLU, 256 calibration views): the calibration method, the number of views, per-tensor weights,
8-bit weights, s8 activations, quantizing before the SiLU (the previous placement), the detection head kept FP32,
and the accuracy gate. Every file is written with `--skip-speed-gate`, so what is measured is the recipe's accuracy,
not which layers a timing on a loaded machine happened to put back to FP32.

Data: .cache/heldout/yolo/{calibration (32 views), calibration-extra (256 views, own seed), validation (100 views)}
from `.venv/bin/python scripts/make-heldout.py` (`--only-yolo-extra` adds calibration-extra alone). The gate runs on
calibration-extra, never on the validation split. Needs a release build (swift build -c release --product switchyard).
Run from the repo root:
  .venv/bin/python benchmarks/quantization_yolo_study.py [--recipes NAME,…] [--reuse] [--json out.json]
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "yolov8n-320.onnx"
HEAD = ["/model.22/cv2.0/cv2.0.2/Conv", "/model.22/cv2.1/cv2.1.2/Conv", "/model.22/cv2.2/cv2.2.2/Conv",
        "/model.22/cv3.0/cv3.0.2/Conv", "/model.22/cv3.1/cv3.1.2/Conv", "/model.22/cv3.2/cv3.2.2/Conv",
        "/model.22/dfl/conv/Conv"]
GATE = ["--validation", "{extra}", "--metric", "detection", "--max-drop", "5", "--sensitivity-samples", "64"]
# name: (description, calibration split, extra `switchyard quantize` options)
RECIPES = {
    "before-silu-32": ("previous placement (quantized before and after each SiLU), 32 views", "calibration",
                       ["--quantize-before-silu"]),
    "before-silu": ("previous placement (quantized before and after each SiLU)", "calibration-extra",
                    ["--quantize-before-silu"]),
    "default-32": ("default, 32 views", "calibration", []),
    "default": ("default", "calibration-extra", []),
    "percentile-99.99": ("--method percentile --percentile 99.99", "calibration-extra",
                         ["--method", "percentile", "--percentile", "99.99"]),
    "percentile-99.999": ("--method percentile --percentile 99.999", "calibration-extra",
                          ["--method", "percentile", "--percentile", "99.999"]),
    "entropy": ("--method entropy", "calibration-extra", ["--method", "entropy"]),
    "per-tensor": ("--per-tensor", "calibration-extra", ["--per-tensor"]),
    "weights-8bit": ("--weight-range full (8-bit weights)", "calibration-extra", ["--weight-range", "full"]),
    "weights-8bit-percentile": ("--weight-range full --method percentile --percentile 99.99", "calibration-extra",
                                ["--weight-range", "full", "--method", "percentile", "--percentile", "99.99"]),
    "s8": ("--activations s8", "calibration-extra", ["--activations", "s8"]),
    "head-fp32": ("the head's 6 final convs and the DFL conv FP32", "calibration-extra",
                  [arg for node in HEAD for arg in ("--exclude", node)]),
    "gated": ("accuracy gate on calibration-extra (max-drop 5, 64 views per layer)", "calibration-extra", GATE),
    "weights-8bit-gated": ("--weight-range full + accuracy gate on calibration-extra", "calibration-extra",
                           ["--weight-range", "full"] + GATE),
    "before-silu-gated": ("previous placement + accuracy gate on calibration-extra", "calibration-extra",
                          ["--quantize-before-silu"] + GATE),
}


def quantize(args, name, calibration, extra):
    out = args.work / f"yolo.{name}.onnx"
    saved = out.with_suffix(".report.json")
    if args.reuse and out.exists() and saved.exists():
        return out, json.loads(saved.read_text())
    command = [args.switchyard, "quantize", MODEL, "--precision", "int8", "--calibration", calibration,
               "--skip-speed-gate", "--threads", "2", "--json", "--output", out] + extra
    print(f"  $ {' '.join(str(c) for c in command)}", file=sys.stderr, flush=True)
    start = time.monotonic()
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"quantize {name} failed: {result.stderr.strip()[-800:]}")
    report = {"report": json.loads(result.stdout), "seconds": time.monotonic() - start}
    saved.write_text(json.dumps(report, indent=1))
    return out, report


def agreement(args, candidate):
    command = [args.switchyard, "validate", "--reference", MODEL, "--candidate", candidate,
               "--data", args.heldout / "validation", "--metric", "detection", "--json"]
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True)
    if result.returncode not in (0, 3):
        raise RuntimeError(f"validate {candidate} failed: {result.stderr.strip()[-800:]}")
    return json.loads(result.stdout)["validation"]["candidate"]["metric"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--switchyard", type=Path, default=ROOT / ".build" / "release" / "switchyard")
    parser.add_argument("--heldout", type=Path, default=ROOT / ".cache" / "heldout" / "yolo")
    parser.add_argument("--work", type=Path, default=ROOT / ".cache" / "quantization-study")
    parser.add_argument("--recipes", default=",".join(RECIPES), help="comma-separated subset of " + ",".join(RECIPES))
    parser.add_argument("--reuse", action="store_true", help="reuse files already in --work")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    names = args.recipes.split(",")
    if unknown := [n for n in names if n not in RECIPES]:
        parser.error(f"--recipes: unknown {', '.join(unknown)}; choose from {', '.join(RECIPES)}")
    for split in ("calibration", "calibration-extra", "validation"):
        if not (args.heldout / split).is_dir():
            parser.error(f"no {args.heldout / split}: run .venv/bin/python scripts/make-heldout.py [--only-yolo-extra]")
    args.work.mkdir(parents=True, exist_ok=True)
    fp32_bytes = MODEL.stat().st_size
    rows = []
    for name in names:
        description, split, extra = RECIPES[name]
        extra = [str(args.heldout / "calibration-extra") if a == "{extra}" else a for a in extra]
        path, saved = quantize(args, name, args.heldout / split, extra)
        report = saved["report"]
        kept = [k["name"] for k in report.get("keptFP32", []) if k.get("opType") in ("Conv", "MatMul", "Gemm")]
        gate = report.get("accuracyGate")
        row = {"recipe": name, "description": description, "calibration_views": len(list((args.heldout / split).glob("*.npy"))),
               "agreement": agreement(args, path), "bytes": path.stat().st_size,
               "size_ratio": path.stat().st_size / fp32_bytes, "layers_fp32": len(kept),
               "layers_int8": len(report.get("converted", [])), "kept": kept,
               "gate": None if gate is None else {"checks": [(len(c["keptFP32"]), c["metric"]) for c in gate["checks"]],
                                                  "samples": gate["samples"]},
               "quantize_seconds": saved["seconds"]}
        rows.append(row)
        print(json.dumps(row), flush=True)
    print("\n| recipe | calibration views | agreement on 100 views | size (vs FP32) | layers kept FP32 |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['description']} | {r['calibration_views']} | {r['agreement']:.1f} % | "
              f"{r['bytes'] / 2**20:.2f} MiB ({100 * r['size_ratio']:.0f} %) | {r['layers_fp32']} of "
              f"{r['layers_fp32'] + r['layers_int8']} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
