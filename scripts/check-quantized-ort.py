#!/usr/bin/env python3
"""Load quantized models in ONNX Runtime and compare them with their FP32 source.

    check-quantized-ort.py FP32.onnx CANDIDATE.onnx [CANDIDATE.onnx ...]
        [--shape NAME=1x3x48x320] [--low -1 --high 1] [--count 8] [--seed 0] [--data DIR] [--json]

Each candidate must load in ONNX Runtime (CPU) and run; the script reports its size on disk (and
the ratio to FP32) and, per output, the largest absolute error, that error relative to the FP32
output's largest magnitude, and the cosine similarity — over `--count` seeded uniform random
inputs, or over the samples of `--data DIR` (DIR/NNNN.npy or DIR/NNNN/INPUT.npy). Exits 1 when a
candidate fails to load or run.
"""
import argparse
import json
import os
import sys

import numpy as np
import onnxruntime as ort

NUMPY_TYPES = {
    "tensor(float)": np.float32, "tensor(float16)": np.float16, "tensor(double)": np.float64,
    "tensor(int64)": np.int64, "tensor(int32)": np.int32, "tensor(uint8)": np.uint8, "tensor(int8)": np.int8,
}


def parse_shapes(assignments):
    shapes = {}
    for item in assignments:
        name, _, dims = item.partition("=")
        if not dims:
            sys.exit(f"--shape wants NAME=1x3x48x320, got {item!r}")
        shapes[name] = [int(d) for d in dims.lower().split("x")]
    return shapes


def session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def random_inputs(sess, shapes, count, seed, low, high):
    rng = np.random.default_rng(seed)
    feeds = []
    for _ in range(count):
        feed = {}
        for arg in sess.get_inputs():
            shape = shapes.get(arg.name) or [d if isinstance(d, int) and d > 0 else 1 for d in arg.shape]
            dtype = NUMPY_TYPES.get(arg.type, np.float32)
            feed[arg.name] = rng.uniform(low, high, size=shape).astype(dtype)
        feeds.append(feed)
    return feeds


def folder_inputs(sess, directory):
    names = [arg.name for arg in sess.get_inputs()]
    feeds = []
    for entry in sorted(os.listdir(directory)):
        path = os.path.join(directory, entry)
        if os.path.isdir(path):
            feeds.append({name: np.load(os.path.join(path, name + ".npy")) for name in names})
        elif entry.endswith(".npy") and len(names) == 1:
            feeds.append({names[0]: np.load(path)})
    if not feeds:
        sys.exit(f"{directory}: no samples (expected NNNN.npy or NNNN/INPUT.npy)")
    return feeds


def compare(reference_outputs, candidate_outputs):
    result = {}
    for name in reference_outputs[0]:
        expected = np.concatenate([o[name].astype(np.float64).ravel() for o in reference_outputs])
        actual = np.concatenate([o[name].astype(np.float64).ravel() for o in candidate_outputs])
        error = float(np.max(np.abs(expected - actual))) if expected.size else 0.0
        scale = float(np.max(np.abs(expected))) if expected.size else 0.0
        norm = float(np.linalg.norm(expected) * np.linalg.norm(actual))
        result[name] = {
            "max_abs_error": error,
            "relative_error": error / scale if scale > 0 else error,
            "cosine": float(np.dot(expected, actual) / norm) if norm > 0 else 1.0,
        }
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("reference")
    parser.add_argument("candidates", nargs="+")
    parser.add_argument("--shape", action="append", default=[], help="NAME=1x3x48x320 for a dynamic input")
    parser.add_argument("--low", type=float, default=-1.0)
    parser.add_argument("--high", type=float, default=1.0)
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", help="sample folder instead of random inputs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    reference = session(args.reference)
    if args.data:
        feeds = folder_inputs(reference, args.data)
    else:
        feeds = random_inputs(reference, parse_shapes(args.shape), args.count, args.seed, args.low, args.high)
    output_names = [o.name for o in reference.get_outputs()]
    reference_outputs = [dict(zip(output_names, reference.run(None, feed))) for feed in feeds]
    reference_bytes = os.path.getsize(args.reference)

    report = {"reference": args.reference, "bytes": reference_bytes, "samples": len(feeds), "candidates": []}
    failed = False
    for path in args.candidates:
        entry = {"path": path, "bytes": os.path.getsize(path), "size_ratio": os.path.getsize(path) / reference_bytes}
        try:
            candidate = session(path)
            outputs = [dict(zip(output_names, candidate.run(output_names, feed))) for feed in feeds]
            entry["outputs"] = compare(reference_outputs, outputs)
        except Exception as error:  # ORT raises several types; report any as a failure
            entry["error"] = str(error).splitlines()[0]
            failed = True
        report["candidates"].append(entry)

    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{args.reference}: {reference_bytes / 1e6:.2f} MB, {len(feeds)} samples")
        for entry in report["candidates"]:
            line = f"  {os.path.basename(entry['path'])}: {entry['bytes'] / 1e6:.2f} MB ({entry['size_ratio'] * 100:.1f}%)"
            if "error" in entry:
                print(f"{line}  FAILED in ONNX Runtime: {entry['error']}")
                continue
            print(line)
            for name, stats in entry["outputs"].items():
                print(f"    {name}: max |err| {stats['max_abs_error']:.4g}, relative {stats['relative_error']:.4g}, cosine {stats['cosine']:.6f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
