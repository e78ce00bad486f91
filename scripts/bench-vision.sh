#!/usr/bin/env bash
# Times SwitchyardVision's resize + tensor conversion of a 1280×960 RGB page beside OpenCV + NumPy
# (what rapidocr runs), and DB post-processing beside rapidocr's, one thread each, median CPU time of
# N calls (default 30).
# Builds benchmarks/vision/main.swift optimised against the module sources (no SwiftPM release build).
# Usage: scripts/bench-vision.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
out=.cache/bench-vision
mkdir -p "$out"
flags=(-O -wmo -swift-version 6 -module-cache-path "$out/module-cache")
swiftc "${flags[@]}" -parse-as-library -emit-module -emit-library -static -module-name SwitchyardTensor \
    -emit-module-path "$out/SwitchyardTensor.swiftmodule" -o "$out/libSwitchyardTensor.a" Sources/SwitchyardTensor/*.swift
swiftc "${flags[@]}" -parse-as-library -emit-module -emit-library -static -module-name SwitchyardVision -I "$out" \
    -Xcc -fmodule-map-file=Sources/CTurboJPEG/module.modulemap -Xcc -fmodule-map-file=Sources/CPNG/module.modulemap \
    -emit-module-path "$out/SwitchyardVision.swiftmodule" -o "$out/libSwitchyardVision.a" \
    $(find Sources/SwitchyardVision -name '*.swift')
swiftc "${flags[@]}" -I "$out" -L "$out" -lSwitchyardVision -lSwitchyardTensor -lturbojpeg -lpng16 \
    -Xcc -fmodule-map-file=Sources/CTurboJPEG/module.modulemap -Xcc -fmodule-map-file=Sources/CPNG/module.modulemap \
    benchmarks/vision/main.swift -o "$out/bench-vision"
"$out/bench-vision" "${1:-30}"
OMP_NUM_THREADS=1 .venv/bin/python - "${1:-30}" <<'PY'
import sys, time
import cv2, numpy as np
cv2.setNumThreads(1)
n = int(sys.argv[1])
page = np.random.default_rng(1).integers(0, 256, (960, 1280, 3), dtype=np.uint8)
mean, std = np.array([0.5, 0.5, 0.5]), np.array([0.5, 0.5, 0.5])
def det_input(img):  # rapidocr DetPreProcess: resize, normalise, HWC -> CHW, float32
    img = cv2.resize(img, (992, 736))
    img = (img.astype("float32") * (1 / 255.0) - mean) / std
    return np.expand_dims(img.transpose((2, 0, 1)), 0).astype(np.float32)
def median(body):
    for _ in range(3): body()
    times = []
    for _ in range(n):
        start = time.thread_time(); body(); times.append(time.thread_time() - start)
    return sorted(times)[n // 2]
small = cv2.resize(page, (992, 736))
print(f"opencv resize 1280x960->992x736:     {median(lambda: cv2.resize(page, (992, 736))) * 1000:.2f} ms")
print(f"numpy tensor 992x736 (rapidocr):     {median(lambda: np.expand_dims(((small.astype('float32') / 255 - mean) / std).transpose((2, 0, 1)), 0).astype(np.float32)) * 1000:.2f} ms")
print(f"opencv+numpy resize + tensor:        {median(lambda: det_input(page)) * 1000:.2f} ms")
import importlib.util, json, types, zipfile
from pathlib import Path
maps = Path(".cache/vision-fixtures/db/page0.npy")
wheel = Path(".cache/wheels/rapidocr_onnxruntime-1.4.4-py3-none-any.whl")
if maps.exists() and wheel.exists():
    utils = types.ModuleType("rapidocr_det_utils")
    exec(zipfile.ZipFile(wheel).read("rapidocr_onnxruntime/ch_ppocr_det/utils.py").decode(), utils.__dict__)
    pred = np.load(maps)
    post = utils.DBPostProcess(thresh=0.3, box_thresh=0.5, max_candidates=1000, unclip_ratio=1.6, score_mode="fast", use_dilation=True)
    print(f"rapidocr DB post-process {pred.shape[3]}x{pred.shape[2]} map:    {median(lambda: post(pred, (720, 960))) * 1000:.2f} ms")
    import ast
    tree = ast.parse(zipfile.ZipFile(wheel).read("rapidocr_onnxruntime/main.py").decode())
    crop_fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "get_rotate_crop_image")
    scope = {"np": np, "cv2": cv2}
    exec(compile(ast.Module(body=[crop_fn], type_ignores=[]), "main.py", "exec"), scope)
    boxes = [b.astype(np.float32) for b in post(pred, (720, 960))[0]]
    crops = lambda: [scope["get_rotate_crop_image"](page, b) for b in boxes]
    print(f"rapidocr crop {len(boxes)} regions:             {median(crops) * 1000:.2f} ms")
PY
