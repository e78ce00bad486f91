#!/usr/bin/env python3
"""The quantization table of BENCHMARKS.md: PP-OCR rec, PP-OCR cls, YOLOv8n (nudenet 320n) and PP-OCR det, each as
FP32, ONNX Runtime's quantize_static (QDQ, U8 activations, S8 per-channel weights, MinMax, calibrated on the
held-out calibration split) and, when the `switchyard quantize` subcommand exists, Switchyard's
fp16 / bf16 / int8. For each: the task metric on the validation split run by ONNX Runtime and by Switchyard
(`switchyard validate`), the drop against FP32, size on disk, latency at batch 1 and 8 (`switchyard bench
--compare-onnxruntime`, Switchyard and ONNX Runtime side by side, medians).

Metrics: rec = exact-line accuracy (leading/trailing spaces ignored) and CER against the rendered text,
decoded with rapidocr 1.4.4's CTCLabelDecode; cls = top-1 against the true orientation; yolo = detection
agreement with FP32 (score > 0.25, class-aware NMS at IoU 0.45, detections matched one-to-one by class at
IoU >= 0.5; F1 = 2 * matched / (n_fp32 + n_candidate), in %); det = F1 of the probability map binarised at
0.3 (DB's threshold) against FP32's, pooled over the pages (`switchyard validate --metric mask-f1`).

Needs: .cache/heldout (scripts/make-heldout.py), a release switchyard binary.
Run from the repo root: .venv/bin/python benchmarks/quantization_table.py [--switchyard .build/release/switchyard]
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import onnx.version_converter
import onnxruntime as ort

ROOT = Path(__file__).resolve().parent.parent
MODELS = {
    "rec": ("ch_PP-OCRv4_rec_infer.onnx", "x", [1, 3, 48, 320], "ctc-exact"),
    "cls": ("ch_ppocr_mobile_v2.0_cls_infer.onnx", "x", [1, 3, 48, 192], "top1"),
    "yolo": ("yolov8n-320.onnx", "images", [1, 3, 320, 320], "detection"),
    "det": ("ch_PP-OCRv4_det_infer.onnx", "x", [1, 3, 736, 736], "mask-f1"),
}


def heldout_module():
    spec = importlib.util.spec_from_file_location("make_heldout", ROOT / "scripts" / "make-heldout.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def detection_agreement(reference_outputs, candidate_outputs):
    matched = total = 0
    for ours, theirs in zip(candidate_outputs, reference_outputs):
        truth, found = yolo_detections(theirs), yolo_detections(ours)
        used = set()
        for box, cls in found:
            best, best_iou = None, 0.5
            for index, (other, other_cls) in enumerate(truth):
                overlap = box_iou(box, other)
                if index not in used and other_cls == cls and overlap >= best_iou:
                    best, best_iou = index, overlap
            if best is not None:
                used.add(best)
                matched += 1
        total += len(truth) + len(found)
    return 100.0 if total == 0 else 100.0 * 2 * matched / total


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
        return mask_f1(reference_outputs, outputs), None
    return detection_agreement(reference_outputs, outputs), None


def mask_f1(reference_outputs, candidate_outputs, threshold=0.3):
    both = total = 0
    for ours, theirs in zip(candidate_outputs, reference_outputs):
        a, b = ours > threshold, theirs > threshold
        both += int(np.logical_and(a, b).sum())
        total += int(a.sum() + b.sum())
    return 100.0 if total == 0 else 100.0 * 2 * both / total


def levenshtein(a, b):
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def switchyard_validate(binary, name, fp32, candidate, split, metric, work):
    """Switchyard's metric of FP32 and the candidate (engine execution), from `switchyard validate`."""
    command = [str(binary), "validate", "--reference", str(fp32), "--candidate", str(candidate),
               "--data", str(split), "--metric", metric, "--json"]
    if metric in ("ctc-exact", "top1"):
        command += ["--labels", str(split / "labels.txt")]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode not in (0, 3):
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()}")
    report = json.loads(result.stdout)["validation"]
    return report["reference"]["metric"], report["candidate"]["metric"], report


def switchyard_bench(binary, path, input_name, shape, runs):
    shape_arg = f"{input_name}=" + "x".join(str(d) for d in shape)
    command = [str(binary), "bench", str(path), "--shape", shape_arg, "--batch", "1,8", "--threads", "1",
               "--iterations", str(runs), "--compare-onnxruntime", "--json"]
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "SWITCHYARD_PYTHON": sys.executable})
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()}")
    report = json.loads(result.stdout)
    return {r["batch"]: (r["medianSeconds"] * 1000, (r.get("onnxRuntime") or {}).get("medianSeconds", float("nan")) * 1000)
            for r in report["results"]}


def ort_latency(path, input_name, shape, runs):
    """ONNX Runtime alone (1 thread): median ms at batch 1 and 8 on seeded random inputs."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    timings = {}
    for batch in (1, 8):
        x = np.random.default_rng(1).uniform(-1, 1, [batch] + shape[1:]).astype(np.float32)
        session.run(None, {input_name: x})
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            session.run(None, {input_name: x})
            samples.append(time.perf_counter() - start)
        timings[batch] = (float("nan"), 1000 * float(np.median(samples)))
    return timings


def switchyard_quantize(binary, fp32, out, precision, calibration, extra):
    command = [str(binary), "quantize", str(fp32), "--precision", precision, "--output", str(out)]
    if precision == "int8":
        command += ["--calibration", str(calibration)] + extra
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"  switchyard quantize {precision} failed: {result.stderr.strip()[:300]}", file=sys.stderr)
        return None
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--switchyard", type=Path, default=ROOT / ".build" / "release" / "switchyard")
    parser.add_argument("--heldout", type=Path, default=ROOT / ".cache" / "heldout")
    parser.add_argument("--work", type=Path, default=ROOT / ".cache" / "quantization-table")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per batch size in switchyard bench")
    parser.add_argument("--models", default="rec,cls,yolo")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--int8-args", default="", help="extra `switchyard quantize --precision int8` options")
    parser.add_argument("--ort-only", action="store_true",
                        help="no switchyard binary: ONNX Runtime's metric and latency only (timed here, 1 thread)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    has_quantize = not args.ort_only and subprocess.run(
        [str(args.switchyard), "quantize", "--help"], capture_output=True).returncode == 0
    heldout = heldout_module()
    rows = []
    for name in args.models.split(","):
        file, input_name, shape, sy_metric = MODELS[name]
        fp32 = ROOT / "models" / file
        calibration, validation = args.heldout / name / "calibration", args.heldout / name / "validation"
        decoder = None
        if name == "rec":
            metadata = {p.key: p.value for p in onnx.load(str(fp32)).metadata_props}
            decoder = heldout.load_rapidocr_decoder()(character=metadata["character"].splitlines())
        variants = [("FP32", fp32)]
        ort_int8 = args.work / f"{name}.ort-qdq-u8s8.onnx"
        if not ort_int8.exists():
            ort_quantize_static(fp32, ort_int8, input_name, samples(calibration))
        variants.append(("ORT quantize_static INT8 (QDQ U8S8 per-channel)", ort_int8))
        if has_quantize:
            for precision in ("fp16", "bf16", "int8"):
                out = switchyard_quantize(args.switchyard, fp32, args.work / f"{name}.switchyard-{precision}.onnx",
                                          precision, calibration, args.int8_args.split())
                if out:
                    variants.append((f"Switchyard {precision}", out))
        data, truth = samples(validation), labels(validation)
        reference_outputs = ort_outputs(fp32, input_name, data)
        baseline = None
        for label, path in variants:
            outputs = reference_outputs if path == fp32 else ort_outputs(path, input_name, data)
            metric, cer = task_metric(name, outputs, reference_outputs, truth, decoder)
            baseline = metric if baseline is None else baseline
            if args.ort_only:
                sy_reference = sy_candidate = float("nan")
                report = {"candidate": {"residentBytes": None}}
                timings = ort_latency(path, input_name, shape, args.runs)
            else:
                sy_reference, sy_candidate, report = switchyard_validate(
                    args.switchyard, name, fp32, path, validation, sy_metric, args.work)
                timings = switchyard_bench(args.switchyard, path, input_name, shape, args.runs)
            row = {"model": name, "variant": label, "file": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
                   "bytes": path.stat().st_size, "ort_metric": metric, "ort_cer": cer, "ort_drop": baseline - metric,
                   "switchyard_metric": sy_candidate, "switchyard_drop": sy_reference - sy_candidate,
                   "switchyard_cer": report["candidate"].get("characterErrorRate"),
                   "switchyard_resident_bytes": report["candidate"]["residentBytes"],
                   "latency_ms": {str(batch): {"switchyard": t[0], "onnxruntime": t[1]} for batch, t in timings.items()}}
            rows.append(row)
            print(json.dumps(row), flush=True)
    fp32_bytes = {r["model"]: r["bytes"] for r in rows if r["variant"] == "FP32"}
    print()
    print("| model | variant | metric ORT (drop) | metric Switchyard (drop) | size (vs FP32) | "
          "b1 Switchyard / ORT ms | b8 Switchyard / ORT ms |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        cer = f", CER {r['ort_cer']:.2f}%" if r["ort_cer"] is not None else ""
        sy_cer = f", CER {r['switchyard_cer']:.2f}%" if r["switchyard_cer"] is not None else ""
        lat = r["latency_ms"]
        print(f"| {r['model']} | {r['variant']} | {r['ort_metric']:.2f}%{cer} ({r['ort_drop']:+.2f}) | "
              f"{r['switchyard_metric']:.2f}%{sy_cer} ({r['switchyard_drop']:+.2f}) | "
              f"{r['bytes'] / 2**20:.2f} MiB ({100 * r['bytes'] / fp32_bytes[r['model']]:.0f}%) | "
              f"{lat['1']['switchyard']:.2f} / {lat['1']['onnxruntime']:.2f} | {lat['8']['switchyard']:.2f} / {lat['8']['onnxruntime']:.2f} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
