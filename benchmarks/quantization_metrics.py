"""Task metrics and ONNX Runtime helpers of benchmarks/quantization_table.py: held-out samples, ONNX Runtime's
quantize_static and execution, and each model's metric computed in Python (the cross-check of Switchyard's own
`switchyard validate` numbers).

rec = exact-line accuracy (leading/trailing spaces ignored) and CER against the rendered text, decoded with
rapidocr 1.4.4's CTCLabelDecode; cls = top-1 against the true orientation; yolo = detection agreement with FP32
(score > 0.25, class-aware NMS at IoU 0.45, detections matched one-to-one by class at IoU >= 0.5;
F1 = 2 * matched / (n_fp32 + n_candidate), in %); det = text-box agreement with FP32 (rapidocr 1.4.4's DB
post-processing as it reads PP-OCRv4's map: threshold 0.3, box threshold 0.5, unclip 1.6, dilation; quads matched
one-to-one at IoU >= 0.5 by shapely, best score first; F1 as yolo's) and, the stricter pixel check beside it, the F1 of
the probability map binarised at 0.3 against FP32's, pooled over the pages.
"""
import importlib.util
import time
from pathlib import Path

import numpy as np
import onnx
import onnx.version_converter
import onnxruntime as ort

ROOT = Path(__file__).resolve().parent.parent


def script_module(name, file):
    """A module of scripts/ (their file names have hyphens, so they are loaded by path), once."""
    if name not in _SCRIPTS:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / file)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _SCRIPTS[name] = module
    return _SCRIPTS[name]


_SCRIPTS = {}


def heldout_module():
    return script_module("make_heldout", "make-heldout.py")


def samples(split_dir):
    return [np.load(p) for p in sorted(Path(split_dir).glob("*.npy"))]


def labels(split_dir):
    path = Path(split_dir) / "labels.txt"
    return path.read_text(encoding="utf-8").split("\n")[:-1] if path.exists() else None


def ort_quantize_static(fp32, out, input_name, calibration):
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.items = iter([{input_name: x} for x in calibration])

        def get_next(self):
            return next(self.items, None)

    prepared = out.with_suffix(".pre.onnx")
    model = onnx.load(str(fp32))
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    if opset < 13:  # per-channel DequantizeLinear (axis) needs opset 13; the cls model is opset 10
        upgraded = out.with_suffix(".opset13.onnx")
        onnx.save(onnx.version_converter.convert_version(model, 13), str(upgraded))
        fp32 = upgraded
    quant_pre_process(str(fp32), str(prepared), skip_symbolic_shape=True)
    quantize_static(str(prepared), str(out), Reader(), quant_format=QuantFormat.QDQ,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=True)
    prepared.unlink()
    out.with_suffix(".opset13.onnx").unlink(missing_ok=True)


def ort_outputs(path, input_name, data):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return [session.run(None, {input_name: x})[0] for x in data]


def yolo_detections(output, score=0.25, iou=0.45):
    """Ultralytics-style decode of one [1, 4 + classes, anchors] output: boxes xyxy, class, score."""
    prediction = output[0]
    scores = prediction[4:].max(0)
    keep = scores > score
    boxes, classes, confidences = prediction[:4, keep].T, prediction[4:, keep].argmax(0), scores[keep]
    xyxy = np.stack([boxes[:, 0] - boxes[:, 2] / 2, boxes[:, 1] - boxes[:, 3] / 2,
                     boxes[:, 0] + boxes[:, 2] / 2, boxes[:, 1] + boxes[:, 3] / 2], axis=1)
    order = np.argsort(-confidences, kind="stable")
    chosen = []
    for i in order:
        if all(classes[j] != classes[i] or box_iou(xyxy[i], xyxy[j]) <= iou for j in chosen):
            chosen.append(i)
    return [(xyxy[i], int(classes[i])) for i in chosen]


def box_iou(a, b):
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def agreement(pairs, overlap):
    """F1 in % of candidate items matched one-to-one to reference items, pooled over the samples: for each
    (reference items, candidate items) in `pairs`, each candidate (in order) takes the unused reference item it
    overlaps most at `overlap` >= 0.5 (Switchyard's `DetectionAgreement.matching`)."""
    matched = total = 0
    for truth, found in pairs:
        used = set()
        for item in found:
            best, best_overlap = None, 0.5
            for index, other in enumerate(truth):
                value = overlap(item, other)
                if index not in used and value >= best_overlap:
                    best, best_overlap = index, value
            if best is not None:
                used.add(best)
                matched += 1
        total += len(truth) + len(found)
    return 100.0 if total == 0 else 100.0 * 2 * matched / total


def detection_agreement(reference_outputs, candidate_outputs):
    pairs = ((yolo_detections(theirs), yolo_detections(ours)) for ours, theirs in zip(candidate_outputs, reference_outputs))
    return agreement(pairs, lambda a, b: box_iou(a[0], b[0]) if a[1] == b[1] else 0.0)


def text_boxes(output):
    """[(shapely quad, score)] of one DB probability map `[1, 1, H, W]`, best score first, as rapidocr reads it."""
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DBPostProcess
    from shapely.geometry import Polygon

    post = DBPostProcess(thresh=0.3, box_thresh=0.5, unclip_ratio=1.6, use_dilation=True, score_mode="fast")
    boxes, scores = post(output, output.shape[2:])
    return sorted(((Polygon(box), score) for box, score in zip(boxes, scores)), key=lambda item: -item[1])


def quad_iou(a, b):
    union = a.union(b).area
    return a.intersection(b).area / union if union > 0 else 0.0


def text_box_agreement(reference_outputs, candidate_outputs):
    pairs = (([q for q, _ in text_boxes(theirs)], [q for q, _ in text_boxes(ours)])
             for ours, theirs in zip(candidate_outputs, reference_outputs))
    return agreement(pairs, quad_iou)


def secondary_metric(metric, outputs, reference_outputs):
    """A check shown beside the task metric, by its `switchyard validate --metric` name (`mask-f1`), or None."""
    return {"mask-f1": mask_f1}[metric](reference_outputs, outputs) if metric else None


def task_metric(name, outputs, reference_outputs, truth, decoder):
    """(metric %, CER % or None)."""
    if name == "rec":
        texts = [decoder(o)[0][0].strip() for o in outputs]
        exact = 100.0 * sum(t == l.strip() for t, l in zip(texts, truth)) / len(truth)
        edits = sum(levenshtein(t, l.strip()) for t, l in zip(texts, truth))
        return exact, 100.0 * edits / sum(len(l.strip()) for l in truth)
    if name == "cls":
        return 100.0 * sum(int(o.argmax() == int(l)) for o, l in zip(outputs, truth)) / len(truth), None
    if name == "det":
        return text_box_agreement(reference_outputs, outputs), None
    return detection_agreement(reference_outputs, outputs), None


def mask_f1(reference_outputs, candidate_outputs, threshold=0.3):
    both = total = 0
    for ours, theirs in zip(candidate_outputs, reference_outputs):
        a, b = ours > threshold, theirs > threshold
        both += int(np.logical_and(a, b).sum())
        total += int(a.sum() + b.sum())
    return 100.0 if total == 0 else 100.0 * 2 * both / total


def levenshtein(a, b):
    """Edit distance, scripts/score-ocr.py's (the OCR example's scorer)."""
    return script_module("score_ocr", "score-ocr.py").levenshtein(a, b)


def ort_latency(path, input_name, shape, runs):
    """ONNX Runtime alone (1 thread): median ms at batch 1 and 8 on seeded random inputs."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    timings = {}
    for batch in (1, 8):
        x = np.random.default_rng(1).uniform(-1, 1, [batch] + shape[1:]).astype(np.float32)
        session.run(None, {input_name: x})
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            session.run(None, {input_name: x})
            times.append(time.perf_counter() - start)
        timings[batch] = (float("nan"), 1000 * float(np.median(times)))
    return timings


def rec_decoder(fp32):
    """rapidocr's CTCLabelDecode over the dictionary in the rec model's `character` metadata."""
    metadata = {p.key: p.value for p in onnx.load(str(fp32)).metadata_props}
    return heldout_module().load_rapidocr_decoder()(character=metadata["character"].splitlines())
