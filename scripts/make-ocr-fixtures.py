#!/usr/bin/env python3
"""Reference outputs of rapidocr-onnxruntime 1.4.4's own pre-processing, for the OCR processors'
tests (Tests/SwitchyardPipelineTests/Builtin/OCRReferenceTests.swift), into OUT (default
.cache/ocr-fixtures/): seeded random RGB images as .npy (uint8 H×W×3) and, per case,
  crop-N.npy      get_rotate_crop_image (RapidOCR.get_crop_img_list) of image-crop.npy on quad N
  det.npy         TextDetector's DetPreProcess of image-det.npy (float32 [1,3,H,W], BGR)
  cls-N.npy       TextClassifier.resize_norm_img of line-N.npy (float32 [3,48,192])
  rec-N.npy       TextRecognizer.resize_norm_img of line-N.npy at its own max_wh_ratio
and manifest.json (quads, sizes). Needs the packages of scripts/requirements.txt.
"""
import argparse
import json
from pathlib import Path

import cv2
import numpy as np
from rapidocr_onnxruntime.ch_ppocr_cls.text_cls import TextClassifier
from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess
from rapidocr_onnxruntime.ch_ppocr_rec.text_recognize import TextRecognizer
from rapidocr_onnxruntime.main import RapidOCR

QUADS = [
    [[10, 5], [70, 8], [68, 30], [9, 27]],          # slightly rotated line
    [[0, 0], [89, 0], [89, 59], [0, 59]],           # the whole image
    [[20, 10], [80, 4], [85, 40], [25, 50]],        # perspective
    [[30, 2], [44, 2], [44, 58], [30, 58]],         # tall: turned a quarter
    [[0, 40], [89, 38], [89, 59], [0, 59]],         # along the border (replicated)
]
LINES = [(120, 30), (40, 32), (500, 24), (31, 47)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=".cache/ocr-fixtures")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2026)

    # rapidocr hands BGR arrays to every step; the Swift side decodes RGB and reverses, so the
    # fixtures store RGB images and run rapidocr on their BGR view.
    image = rng.integers(1, 256, (60, 90, 3), dtype=np.uint8)
    np.save(out / "image-crop.npy", image)
    crops = RapidOCR.get_crop_img_list(None, image[:, :, ::-1].copy(), [np.array(q, np.float32) for q in QUADS])
    for index, crop in enumerate(crops):
        np.save(out / f"crop-{index}.npy", np.ascontiguousarray(crop[:, :, ::-1]))

    page = rng.integers(1, 256, (150, 200, 3), dtype=np.uint8)
    np.save(out / "image-det.npy", page)
    np.save(out / "det.npy", DetPreProcess(736, "min")(page[:, :, ::-1].copy()))

    classifier = TextClassifier.__new__(TextClassifier)
    classifier.cls_image_shape = [3, 48, 192]
    recognizer = TextRecognizer.__new__(TextRecognizer)
    recognizer.rec_image_shape = [3, 48, 320]
    for index, (width, height) in enumerate(LINES):
        line = rng.integers(1, 256, (height, width, 3), dtype=np.uint8)
        np.save(out / f"line-{index}.npy", line)
        bgr = line[:, :, ::-1].copy()
        np.save(out / f"cls-{index}.npy", classifier.resize_norm_img(bgr).astype(np.float32))
        ratio = max(320 / 48, width / height)
        np.save(out / f"rec-{index}.npy", recognizer.resize_norm_img(bgr, ratio).astype(np.float32))

    manifest = {"opencv": cv2.__version__, "quads": QUADS, "lines": LINES}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"make-ocr-fixtures: {len(QUADS)} crops, 1 det input, {len(LINES)} cls/rec inputs -> {out} (OpenCV {cv2.__version__})")


if __name__ == "__main__":
    main()
