#!/usr/bin/env python3
"""Calibration inputs for the PP-OCRv4 text detector (`switchyard quantize --calibration`).

Renders seeded document pages with scripts/make-ocr-pages.py's renderer (words in several fonts
on paper-like backgrounds), resizes each to SIZE×SIZE and applies rapidocr-onnxruntime 1.4.4's
own DetPreProcess (BGR, (x/255 − 0.5)/0.5, CHW). Writes OUT/NNNN.npy (float32 [1,3,SIZE,SIZE]),
default .cache/heldout/det/calibration. Deterministic for a given seed.

Usage: scripts/make-det-calibration.py [--out DIR] [--count N] [--size S] [--seed S]
"""
import argparse
import importlib.util
import random
from pathlib import Path

import cv2
import numpy as np
from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

ROOT = Path(__file__).resolve().parent.parent


def page_renderer():
    spec = importlib.util.spec_from_file_location("ocr_pages", ROOT / "scripts" / "make-ocr-pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / ".cache" / "heldout" / "det" / "calibration")
    parser.add_argument("--count", type=int, default=16)
    parser.add_argument("--size", type=int, default=640)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    pages = page_renderer()
    rng = random.Random(args.seed)
    fonts = pages.available_fonts()
    args.out.mkdir(parents=True, exist_ok=True)
    preprocess = DetPreProcess(args.size, "max")
    for index in range(args.count):
        rendered = pages.render_page(rng, fonts, 800, 1000)
        image = rendered[0] if isinstance(rendered, tuple) else rendered
        rgb = np.asarray(image.convert("RGB"))
        resized = cv2.resize(rgb, (args.size, args.size), interpolation=cv2.INTER_LINEAR)
        sample = preprocess(resized[:, :, ::-1].copy())
        assert sample.shape == (1, 3, args.size, args.size), sample.shape
        np.save(args.out / f"{index:04d}.npy", sample.astype(np.float32))
    print(f"make-det-calibration: {args.count} pages {args.size}x{args.size} -> {args.out}")


if __name__ == "__main__":
    main()
