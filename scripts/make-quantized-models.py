#!/usr/bin/env python3
"""Quantizes the example models with ONNX Runtime's own tools and records ORT's outputs.

For each model in models/ (cls, det, rec, yolov8n-320) this writes into .cache/quantized/:
  NAME.fp32.onnx     the model prepared as ORT recommends before quantizing: opset raised to 13
                     (per-channel DequantizeLinear needs it) and `quant_pre_process` (constants
                     become initializers, BatchNormalization folds into Conv); the FP32 baseline
  NAME.u8s8.onnx     quantize_static, QDQ, uint8 activations, int8 per-channel weights
  NAME.s8s8.onnx     quantize_static, QDQ, int8 activations (ORT's default), int8 per-channel weights
  NAME.dynamic.onnx  quantize_dynamic (DynamicQuantizeLinear + ConvInteger/MatMulInteger)
and for every file a case folder NAME.VARIANT/ with inputs/INPUT.npy (fresh seeded random
inputs, batch 1, never the calibration ones) and outputs/OUTPUT.npy (ONNX Runtime's outputs on
that file; '/' in a tensor name is written '%2F'). The Swift tests (Tests/SwitchyardEngineTests/Quantized) compare the engine with them.

Calibration: 4 seeded random inputs per model in the range the model's preprocessing produces
([-1, 1] for PP-OCR, [0, 1] for YOLOv8). Idempotent: existing files are kept unless --force.

Usage: .venv/bin/python scripts/make-quantized-models.py [--output .cache/quantized] [--force]
"""
import argparse
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import version_converter
from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic,
                                      quantize_static)
from onnxruntime.quantization.shape_inference import quant_pre_process

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name -> (file in models/, input shape at batch 1, value range of a preprocessed input)
MODELS = {
    "cls": ("ch_ppocr_mobile_v2.0_cls_infer.onnx", [1, 3, 48, 192], (-1.0, 1.0)),
    "det": ("ch_PP-OCRv4_det_infer.onnx", [1, 3, 320, 320], (-1.0, 1.0)),
    "rec": ("ch_PP-OCRv4_rec_infer.onnx", [1, 3, 48, 320], (-1.0, 1.0)),
    "yolov8n-320": ("yolov8n-320.onnx", [1, 3, 320, 320], (0.0, 1.0)),
}
CALIBRATION_SAMPLES = 4
MINIMUM_OPSET = 13


def prepare(source, out):
    """Writes `source` with opset >= 13, pre-processed as ORT's quantization guide asks."""
    model = onnx.load(source)
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    if opset < MINIMUM_OPSET:
        model = version_converter.convert_version(model, MINIMUM_OPSET)
    raised = out + ".opset.onnx"
    onnx.save(model, raised)
    # Symbolic shape inference needs sympy, which the project does not install; ONNX's own
    # shape inference and ORT's graph optimizations are what matter here.
    quant_pre_process(raised, out, skip_symbolic_shape=True)
    os.remove(raised)


class RandomReader(CalibrationDataReader):
    """Seeded random calibration inputs for a single-input model."""

    def __init__(self, input_name, shape, value_range, seed):
        rng = np.random.default_rng(seed)
        low, high = value_range
        self.samples = [{input_name: rng.uniform(low, high, size=shape).astype(np.float32)}
                        for _ in range(CALIBRATION_SAMPLES)]
        self.index = 0

    def get_next(self):
        if self.index >= len(self.samples):
            return None
        self.index += 1
        return self.samples[self.index - 1]

    def rewind(self):
        self.index = 0


def file_name(tensor_name):
    """A tensor name as a file name: '/' (PaddlePaddle's names have it) becomes '%2F'."""
    return tensor_name.replace("%", "%25").replace("/", "%2F")


def save_case(model_path, case_dir, input_name, shape, value_range, seed):
    """Runs ORT on a fresh random input and saves the input and every output as .npy."""
    rng = np.random.default_rng(seed)
    low, high = value_range
    x = rng.uniform(low, high, size=shape).astype(np.float32)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    outputs = session.run(None, {input_name: x})
    os.makedirs(os.path.join(case_dir, "inputs"), exist_ok=True)
    os.makedirs(os.path.join(case_dir, "outputs"), exist_ok=True)
    np.save(os.path.join(case_dir, "inputs", file_name(input_name) + ".npy"), x)
    for info, value in zip(session.get_outputs(), outputs):
        np.save(os.path.join(case_dir, "outputs", file_name(info.name) + ".npy"), value)
    open(os.path.join(case_dir, "complete"), "w").close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", default=os.path.join(ROOT, ".cache", "quantized"))
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated subset of " + ",".join(MODELS))
    parser.add_argument("--force", action="store_true", help="rebuild files that already exist")
    args = parser.parse_args()
    os.makedirs(args.output, exist_ok=True)

    for index, name in enumerate(args.models.split(",")):
        if name not in MODELS:
            sys.exit(f"unknown model '{name}'; expected one of {', '.join(MODELS)}")
        file, shape, value_range = MODELS[name]
        source = os.path.join(ROOT, "models", file)
        if not os.path.exists(source):
            print(f"skipping {name}: {source} is missing (run scripts/fetch-models.sh)", file=sys.stderr)
            continue
        input_name = onnx.load(source, load_external_data=False).graph.input[0].name
        prepared = os.path.join(args.output, f"{name}.fp32.onnx")
        if args.force or not os.path.exists(prepared):
            print(f"preparing {name} -> {prepared}", file=sys.stderr)
            prepare(source, prepared)
        source = prepared
        variants = {
            "u8s8": lambda out: quantize_static(
                source, out, RandomReader(input_name, shape, value_range, seed=100 + index),
                quant_format=QuantFormat.QDQ, per_channel=True,
                activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8),
            "s8s8": lambda out: quantize_static(
                source, out, RandomReader(input_name, shape, value_range, seed=100 + index),
                quant_format=QuantFormat.QDQ, per_channel=True,
                activation_type=QuantType.QInt8, weight_type=QuantType.QInt8),
            "dynamic": lambda out: quantize_dynamic(source, out, weight_type=QuantType.QInt8),
        }
        for variant_index, (variant, make) in enumerate(variants.items()):
            out = os.path.join(args.output, f"{name}.{variant}.onnx")
            case_dir = os.path.join(args.output, f"{name}.{variant}")
            if args.force or not os.path.exists(out):
                print(f"quantizing {name} ({variant}) -> {out}", file=sys.stderr)
                make(out)
            if args.force or not os.path.exists(os.path.join(case_dir, "complete")):
                save_case(out, case_dir, input_name, shape, value_range, seed=1000 + 10 * index + variant_index)
        # The FP32 model's outputs on the same shapes, for comparing accuracy across precisions.
        fp32_case = os.path.join(args.output, f"{name}.fp32")
        if args.force or not os.path.exists(os.path.join(fp32_case, "complete")):
            save_case(source, fp32_case, input_name, shape, value_range, seed=1000 + 10 * index)


if __name__ == "__main__":
    main()
