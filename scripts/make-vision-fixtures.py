#!/usr/bin/env python3
"""Reference outputs for SwitchyardVision's tests, made with OpenCV, NumPy, Pillow and the code of
rapidocr-onnxruntime 1.4.4 itself (read from its wheel in .cache/wheels, not installed).

Writes into OUT (default .cache/vision-fixtures/):
  codec/       PNG and JPEG files and Pillow's decoding of each (NAME.npy, uint8 HxWx3)
  resize/      source images and cv2.resize(INTER_LINEAR) results
  letterbox/   Ultralytics-style letterbox results (numpy + cv2, as ultralytics' LetterBox)
  crop/        rapidocr's get_rotate_crop_image on quads of a random image
  db/          probability maps (.npy float32 [1,1,H,W]) and rapidocr's DBPostProcess +
               filter_tag_det_res + sorted_boxes output
  nms/         Ultralytics-style NMS inputs and kept indices (numpy reference below)
  manifest.json  every case and its expected values
Seeded and deterministic. Usage: make-vision-fixtures.py [OUT]
"""
import ast
import json
import math
import sys
import types
import zipfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
WHEEL = ROOT / ".cache/wheels/rapidocr_onnxruntime-1.4.4-py3-none-any.whl"
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".cache/vision-fixtures"
rng = np.random.default_rng(20261129)
manifest = {}


def save(sub, name, array):
    path = OUT / sub / name
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, np.ascontiguousarray(array))
    return f"{sub}/{name}"


def smooth_image(h, w, channels=3):
    """Random but image-like content (smooth gradients plus noise), so interpolation is exercised."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    planes = []
    for c in range(channels):
        a, b, p = rng.uniform(0.02, 0.2, 3)
        plane = 127 + 80 * np.sin(a * x + p * 7) * np.cos(b * y) + rng.normal(0, 25, (h, w))
        planes.append(plane)
    return np.clip(np.stack(planes, -1), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- codec
def make_codec():
    cases = []
    rgb = smooth_image(37, 53)
    specs = {
        "rgb.png": (Image.fromarray(rgb), {}),
        "gray.png": (Image.fromarray(rgb[..., 0]), {}),
        "palette.png": (Image.fromarray(rgb).quantize(colors=64, dither=Image.Dither.NONE), {}),
        "rgb.jpg": (Image.fromarray(rgb), {"quality": 90}),
        "rgb444.jpg": (Image.fromarray(rgb), {"quality": 95, "subsampling": 0}),
        "gray.jpg": (Image.fromarray(rgb[..., 1]), {"quality": 85}),
    }
    for name, (image, options) in specs.items():
        path = OUT / "codec" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, **options)
        decoded = np.asarray(Image.open(path).convert("RGB"))
        cases.append({"file": f"codec/{name}", "expected": save("codec", name + ".npy", decoded),
                      "exact": name.endswith(".png")})
    # RGBA with alpha 0 or 255 only: opaque pixels keep their colour, transparent ones become white.
    alpha = np.where(rng.random((37, 53)) < 0.3, 0, 255).astype(np.uint8)
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(OUT / "codec/rgba.png")
    composited = np.where(alpha[..., None] == 255, rgb, 255).astype(np.uint8)
    cases.append({"file": "codec/rgba.png", "expected": save("codec", "rgba.png.npy", composited), "exact": True})
    manifest["codec"] = cases


# ---------------------------------------------------------------- resize
def make_resize():
    cases = []
    sources = {"rgb": smooth_image(61, 83), "gray": smooth_image(61, 83, 1)[..., 0]}
    sizes = [(41, 29), (160, 128), (83, 30), (200, 61), (37, 97), (7, 5), (166, 122), (41, 30), (1280, 960)]
    for label, src in sources.items():
        src_path = save("resize", f"{label}.npy", src)
        for w, h in sizes:
            out = cv2.resize(src, (w, h), interpolation=cv2.INTER_LINEAR)
            cases.append({"source": src_path, "width": w, "height": h,
                          "expected": save("resize", f"{label}-{w}x{h}.npy", out)})
    # An exact 2× reduction, which OpenCV computes as INTER_AREA.
    even = smooth_image(60, 82)
    even_path = save("resize", "even.npy", even)
    cases.append({"source": even_path, "width": 41, "height": 30,
                  "expected": save("resize", "even-41x30.npy", cv2.resize(even, (41, 30)))})
    # The det pre-processing size of a document page (rapidocr: min side to 736, multiples of 32).
    page = smooth_image(960, 1280)
    page_path = save("resize", "page.npy", page)
    out = cv2.resize(page, (992, 736))
    cases.append({"source": page_path, "width": 992, "height": 736, "expected": save("resize", "page-992x736.npy", out)})
    manifest["resize"] = cases


# ---------------------------------------------------------------- letterbox (ultralytics LetterBox, auto=False)
def letterbox(img, new_shape, color=(114, 114, 114)):
    shape = img.shape[:2]
    r = min(new_shape[0] / shape[0], new_shape[1] / shape[1])
    new_unpad = int(round(shape[1] * r)), int(round(shape[0] * r))
    dw, dh = (new_shape[1] - new_unpad[0]) / 2, (new_shape[0] - new_unpad[1]) / 2
    if shape[::-1] != new_unpad:
        img = cv2.resize(img, new_unpad, interpolation=cv2.INTER_LINEAR)
    top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
    left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
    img = cv2.copyMakeBorder(img, top, bottom, left, right, cv2.BORDER_CONSTANT, value=color)
    return img, r, left, top


def make_letterbox():
    cases = []
    for i, (h, w) in enumerate([(240, 427), (500, 333), (320, 320), (123, 457)]):
        src = smooth_image(h, w)
        out, r, left, top = letterbox(src, (320, 320))
        cases.append({"source": save("letterbox", f"src{i}.npy", src), "width": 320, "height": 320,
                      "expected": save("letterbox", f"out{i}.npy", out), "scale": r, "padX": left, "padY": top})
    manifest["letterbox"] = cases


# ---------------------------------------------------------------- rapidocr code, read from its wheel
def rapidocr_source(member):
    with zipfile.ZipFile(WHEEL) as wheel:
        return wheel.read(member).decode()


def rapidocr_function(member, name):
    """The source of one function (also nested or a method) of a rapidocr module, as a callable."""
    tree = ast.parse(rapidocr_source(member))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            node.decorator_list = []
            scope = {"np": np, "cv2": cv2, "math": math, "List": list, "Tuple": tuple}
            exec(compile(ast.Module(body=[node], type_ignores=[]), member, "exec"), scope)
            return scope[name]
    raise LookupError(f"{name} not in {member}")


def rapidocr_det_utils():
    module = types.ModuleType("rapidocr_det_utils")
    exec(compile(rapidocr_source("rapidocr_onnxruntime/ch_ppocr_det/utils.py"), "utils.py", "exec"), module.__dict__)
    return module


# ---------------------------------------------------------------- crop (get_rotate_crop_image, INTER_CUBIC)
def make_crop():
    get_rotate_crop_image = rapidocr_function("rapidocr_onnxruntime/main.py", "get_rotate_crop_image")
    src = smooth_image(120, 160)
    quads = [
        [[10, 20], [90, 20], [90, 44], [10, 44]],          # upright
        [[20, 30], [120, 45], [116, 70], [16, 55]],        # rotated ~8.5°
        [[100, 5], [130, 5], [130, 110], [100, 110]],      # tall: turned 90° counter-clockwise
        [[-5, 90], [60, 95], [58, 125], [-8, 118]],        # past the border: replicated edge
        [[33.5, 12.25], [77.75, 14.5], [76, 31.5], [31.25, 29]],  # fractional corners
    ]
    cases = []
    src_path = save("crop", "src.npy", src)
    for i, quad in enumerate(quads):
        out = get_rotate_crop_image(src, np.array(quad, dtype=np.float32))
        cases.append({"source": src_path, "quad": quad, "expected": save("crop", f"crop{i}.npy", out)})
    manifest["crop"] = cases

    # rapidocr's recogniser pre-processing of each crop (batch width of ratio 320/48) and its det sizing.
    resize_norm_img = rapidocr_function("rapidocr_onnxruntime/ch_ppocr_rec/text_recognize.py", "resize_norm_img")
    recognizer = types.SimpleNamespace(rec_image_shape=[3, 48, 320])
    lines = []
    for i, case in enumerate(cases):
        crop = np.load(OUT / case["expected"])
        tensor = resize_norm_img(recognizer, crop, 320 / 48)
        lines.append({"source": case["expected"], "height": 48, "width": 320,
                      "expected": save("crop", f"rec{i}.npy", tensor[None].astype(np.float32))})
    manifest["textLine"] = lines
    det_pre = rapidocr_det_utils().DetPreProcess
    sizes = []
    for h, w in [(720, 960), (30, 500), (1000, 200), (736, 736), (100, 3000)]:
        for limit_type, limit in [("min", 736), ("max", 960)]:
            resized = det_pre(limit, limit_type).resize(np.zeros((h, w, 3), np.uint8))
            sizes.append({"width": w, "height": h, "limitType": limit_type, "limit": limit,
                          "expected": None if resized is None else [resized.shape[1], resized.shape[0]]})
    manifest["detectionSize"] = sizes


# ---------------------------------------------------------------- DB post-processing
def draw_rotated_rect(prob, cx, cy, w, h, angle, value):
    box = cv2.boxPoints(((cx, cy), (w, h), angle)).astype(np.int32)
    cv2.fillPoly(prob, [box], value)


def db_case(name, pred, original, dilate):
    """rapidocr's DBPostProcess + filter_tag_det_res + sorted_boxes on one probability map."""
    utils = rapidocr_det_utils()
    filter_tag_det_res = rapidocr_function("rapidocr_onnxruntime/ch_ppocr_det/text_detect.py", "filter_tag_det_res")
    order_points_clockwise = rapidocr_function("rapidocr_onnxruntime/ch_ppocr_det/text_detect.py", "order_points_clockwise")
    clip_det_res = rapidocr_function("rapidocr_onnxruntime/ch_ppocr_det/text_detect.py", "clip_det_res")
    sorted_boxes = rapidocr_function("rapidocr_onnxruntime/main.py", "sorted_boxes")
    detector = types.SimpleNamespace(order_points_clockwise=lambda p: order_points_clockwise(None, p),
                                     clip_det_res=lambda p, h, w: clip_det_res(None, p, h, w))
    post = utils.DBPostProcess(thresh=0.3, box_thresh=0.5, max_candidates=1000, unclip_ratio=1.6,
                               score_mode="fast", use_dilation=dilate)
    boxes, scores = post(pred, original)
    filtered = filter_tag_det_res(detector, boxes.copy(), original)
    # The same filter once more, box by box, to keep each box's score beside it.
    kept = []
    for box, score in zip(boxes.copy(), scores):
        box = detector.clip_det_res(detector.order_points_clockwise(box), *original)
        if int(np.linalg.norm(box[0] - box[1])) > 3 and int(np.linalg.norm(box[0] - box[3])) > 3:
            kept.append((box, float(score)))
    assert len(kept) == len(filtered) and all(np.array_equal(k[0], f) for k, f in zip(kept, filtered))
    ordered = sorted_boxes(filtered) if len(filtered) else []
    ordered_scores = []
    for box in ordered:
        index = next(i for i, (k, _) in enumerate(kept) if k is not None and np.array_equal(k, box))
        ordered_scores.append(kept[index][1])
        kept[index] = (None, 0)
    return {"probability": save("db", f"{name}.npy", pred), "originalHeight": original[0], "originalWidth": original[1],
            "dilate": dilate, "quads": [np.asarray(b).tolist() for b in ordered], "scores": ordered_scores}


def make_db():
    def maps():
        h, w = 160, 224
        yield "rectangles", h, w, [("rect", 20, 20, 120, 36, 0), ("rect", 30, 60, 200, 70, 0), ("rect", 140, 100, 210, 140, 0),
                                   ("rect", 5, 150, 9, 153, 0)]
        yield "rotated", h, w, [("rot", 110, 50, 150, 18, 12), ("rot", 60, 115, 80, 14, -25), ("rot", 170, 120, 60, 22, 70)]
        yield "touching", h, w, [("rect", 20, 20, 100, 40, 0), ("rect", 100, 20, 180, 40, 0), ("rect", 40, 40, 90, 60, 0),
                                 ("rect", 20, 100, 200, 112, 0), ("rect", 20, 113, 200, 125, 0)]
        yield "same-line", h, w, [("rect", 150, 30, 200, 50, 0), ("rect", 10, 34, 60, 52, 0), ("rect", 80, 28, 130, 47, 0),
                                  ("rect", 10, 80, 200, 98, 0), ("ring", 60, 110, 160, 150, 0)]
        yield "noisy", 192, 256, "noisy"

    cases = []
    for name, h, w, shapes in maps():
        prob = np.zeros((h, w), np.float32)
        if shapes == "noisy":
            prob = rng.random((h, w)).astype(np.float32) * 0.35
            for _ in range(8):
                cx, cy = rng.uniform(30, w - 30), rng.uniform(20, h - 20)
                draw_rotated_rect(prob, cx, cy, rng.uniform(20, 90), rng.uniform(8, 20), rng.uniform(-20, 20),
                                  float(rng.uniform(0.55, 0.95)))
            prob = cv2.GaussianBlur(prob, (5, 5), 1.2)
        else:
            for kind, a, b, c, d, angle in shapes:
                value = float(rng.uniform(0.6, 0.95))
                if kind == "rect":
                    prob[b:d, a:c] = value
                elif kind == "ring":
                    prob[b:d, a:c] = value
                    prob[b + 8:d - 8, a + 12:c - 12] = 0
                else:
                    draw_rotated_rect(prob, a, b, c, d, angle, value)
            prob += (rng.random((h, w)) * 0.2).astype(np.float32)
        pred = prob[None, None]
        for original, dilate in [((h * 2, w * 2), False), ((h * 3 // 2 + 7, w * 5 // 4 + 3), True)]:
            cases.append(db_case(name, pred, original, dilate))
    cases += make_db_real()
    manifest["db"] = cases


def render_page(index):
    """A document-like page: lines of words in DejaVu fonts, some lines rotated a few degrees."""
    from PIL import ImageDraw, ImageFont
    fonts = [f for f in ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
                         "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"] if Path(f).exists()]
    words = "invoice total amount paid order number shipping date 2026 customer address switchyard pipeline 42.50 EUR".split()
    page = Image.new("RGB", (960, 720), (250, 248, 240))
    y = 20
    while y < 660:
        size = int(rng.integers(18, 36))
        font = ImageFont.truetype(fonts[int(rng.integers(len(fonts)))], size)
        text = " ".join(rng.choice(words, int(rng.integers(1, 7))))
        x = int(rng.integers(10, 300))
        layer = Image.new("RGBA", (900, size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(layer).text((5, size // 3), text, font=font, fill=(20, 20, 30, 255))
        angle = float(rng.uniform(-6, 6)) if rng.random() < 0.3 else 0.0
        layer = layer.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False)
        page.paste(layer, (x, y), layer)
        y += int(size * 1.6) + int(rng.integers(4, 20))
    return np.asarray(page)


def make_db_real():
    """rapidocr's detector on rendered pages: its pre-processing and ONNX Runtime, then its DBPostProcess
    (PP-OCRv4 configuration: dilation on) — real probability maps with real text-line shapes."""
    model = ROOT / "models/ch_PP-OCRv4_det_infer.onnx"
    if not model.exists():
        print(f"skipping real DB fixtures: {model} missing (scripts/fetch-models.sh)")
        return []
    import onnxruntime
    utils = rapidocr_det_utils()
    session = onnxruntime.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    cases = []
    for index in range(3):
        page = render_page(index)
        tensor = utils.DetPreProcess(736, "min", [0.5, 0.5, 0.5], [0.5, 0.5, 0.5])(page)
        pred = session.run(None, {session.get_inputs()[0].name: tensor})[0].astype(np.float32)
        cases.append(db_case(f"page{index}", pred, page.shape[:2], True))
    return cases


# ---------------------------------------------------------------- NMS and YOLOv8 decode (numpy reference)
def nms_reference(boxes, scores, classes, iou_threshold, class_aware, max_det):
    """Ultralytics non_max_suppression's selection: greedy by descending score (stable), class offset trick."""
    offset = classes[:, None] * 7680.0 if class_aware else 0.0
    b = boxes + offset
    order = np.argsort(-scores, kind="stable")
    keep = []
    suppressed = np.zeros(len(b), bool)
    for i in order:
        if suppressed[i]:
            continue
        keep.append(int(i))
        if len(keep) == max_det:
            break
        xx1 = np.maximum(b[i, 0], b[:, 0]); yy1 = np.maximum(b[i, 1], b[:, 1])
        xx2 = np.minimum(b[i, 2], b[:, 2]); yy2 = np.minimum(b[i, 3], b[:, 3])
        inter = np.clip(xx2 - xx1, 0, None) * np.clip(yy2 - yy1, 0, None)
        area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        iou = inter / (area[i] + area - inter)
        suppressed |= iou > iou_threshold
    return keep


def make_nms():
    n = 60
    centers = rng.uniform(20, 300, (n, 2)).astype(np.float32)
    centers[n // 2:] = centers[:n // 2] + rng.normal(0, 6, (n // 2, 2)).astype(np.float32)  # overlapping pairs
    sizes = rng.uniform(10, 60, (n, 2)).astype(np.float32)
    boxes = np.concatenate([centers - sizes / 2, centers + sizes / 2], 1).astype(np.float32)
    scores = rng.uniform(0.2, 1.0, n).astype(np.float32)
    classes = rng.integers(0, 3, n)
    cases = []
    for iou, aware, max_det in [(0.45, True, 300), (0.45, False, 300), (0.7, True, 300), (0.3, True, 10)]:
        keep = nms_reference(boxes, scores, classes, iou, aware, max_det)
        cases.append({"iouThreshold": iou, "classAware": aware, "maxCount": max_det, "keep": keep})
    manifest["nms"] = {"boxes": boxes.tolist(), "scores": scores.tolist(), "classes": classes.tolist(), "cases": cases}

    # A YOLOv8 head output [2, 4 + 5, 400]: cx, cy, w, h then class scores; decode = threshold + NMS.
    batch, classes_n, anchors = 2, 5, 400
    out = np.zeros((batch, 4 + classes_n, anchors), np.float32)
    out[:, 0:2] = rng.uniform(0, 320, (batch, 2, anchors))
    out[:, 2:4] = rng.uniform(8, 80, (batch, 2, anchors))
    out[:, 4:] = rng.random((batch, classes_n, anchors)) ** 6
    expected = []
    for item in out:
        scores_all = item[4:].T
        cls = scores_all.argmax(1)
        conf = scores_all.max(1)
        mask = conf > 0.25
        xywh = item[:4].T[mask]
        xyxy = np.concatenate([xywh[:, :2] - xywh[:, 2:] / 2, xywh[:, :2] + xywh[:, 2:] / 2], 1)
        keep = nms_reference(xyxy, conf[mask], cls[mask], 0.45, True, 300)
        expected.append([{"box": xyxy[k].tolist(), "classIndex": int(cls[mask][k]), "score": float(conf[mask][k])} for k in keep])
    manifest["yolo"] = {"output": save("nms", "yolo-output.npy", out), "detections": expected}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for make in (make_codec, make_resize, make_letterbox, make_crop, make_db, make_nms):
        make()
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1))
    print(f"vision fixtures in {OUT}")


if __name__ == "__main__":
    main()
