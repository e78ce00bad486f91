#!/usr/bin/env python3
"""Runs a model in ONNX Runtime (the reference) on inputs given as .npy files and writes each
output as OUT_DIR/<index>.npy (index = position among the model's outputs).

Usage: ort_infer.py MODEL OUT_DIR NAME=FILE.npy [NAME=FILE.npy ...]
"""
import os
import sys

import numpy as np
import onnxruntime as ort


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    model, out_dir, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
    feeds = {}
    for pair in pairs:
        name, _, path = pair.partition("=")
        feeds[name] = np.load(path)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    outputs = session.run(None, feeds)
    os.makedirs(out_dir, exist_ok=True)
    for index, value in enumerate(outputs):
        np.save(os.path.join(out_dir, f"{index}.npy"), np.asarray(value))


if __name__ == "__main__":
    main()
