#!/usr/bin/env python3
"""Builds a Triton-layout model repository from the example models, for the client checks and the
serving benchmark: `<repo>/<name>/config.pbtxt` + `<repo>/<name>/1/model.onnx` (a symlink to the
model file, or a copy with --copy).

    scripts/make-repository.py [--models DIR] [--out DIR] [--copy] [--max-batch N]

Models (names are what clients ask for):
  cls          PP-OCR direction classifier, max_batch_size N (default 16), dynamic batching with no
               preferred sizes (the server's profiler picks them) and no queue delay.
  cls_preferred  cls with preferred_batch_size [N]: Triton's default for a Python-backend model
               (what the pytriton peer runs), which overrides the server's profiler.
  cls_nobatch  The same model and limits, no dynamic_batching: each request runs on its own
               (Triton's default scheduler), the "batching off" side of the benchmark.
  rec          PP-OCRv4 recognizer, dims fixed to [3,48,320] (the model's H and W are free).
  det          PP-OCRv4 detector, dims fixed to [3,640,640].
  yolo         YOLOv8n with no config.pbtxt: the server completes it from the ONNX model.
  multi        A tiny model built here (needs the `onnx` package, e.g. .venv/bin/python; skipped
               without it): x FP32 [batch, 4] -> doubled = x+x, squared = x*x, negated = -x.
               Three outputs for requested-output subsets; exact results that make any mix-up
               between batched requests visible.
  multi_chain  A Triton ensemble (platform "ensemble", ensemble_scheduling) of two `multi` steps:
               INPUT -> multi.doubled -> multi again -> SQUARED = (2x)^2, NEGATED = -2x. Served
               as a pipeline; added with `multi`.

Standard library only (plus `onnx` for `multi`). Idempotent: the output folder is rebuilt.
"""
import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CLS = "ch_ppocr_mobile_v2.0_cls_infer.onnx"
REC = "ch_PP-OCRv4_rec_infer.onnx"
DET = "ch_PP-OCRv4_det_infer.onnx"
YOLO = "yolov8n-320.onnx"


def tensors(kind, specs):
    """An `input [...]`/`output [...]` list of (name, dims[, data_type]) specs."""
    blocks = []
    for name, dims, *data_type in specs:
        dims_text = ", ".join(str(d) for d in dims)
        blocks.append(f'  {{\n    name: "{name}"\n    data_type: {data_type[0] if data_type else "TYPE_FP32"}\n    dims: [ {dims_text} ]\n  }}')
    return f"{kind} [\n" + ",\n".join(blocks) + "\n]\n"


def config(name, max_batch, inputs, outputs, dynamic_batching=None, instances=None, extra=""):
    """config.pbtxt text with Triton's field names. `dynamic_batching` is the block's body or None;
    without `instances` the server chooses (Switchyard: one single-threaded instance per thread)."""
    text = f'name: "{name}"\nbackend: "onnxruntime"\nmax_batch_size: {max_batch}\n'
    text += tensors("input", inputs) + tensors("output", outputs)
    if instances is not None:
        text += f"instance_group [\n  {{\n    kind: KIND_CPU\n    count: {instances}\n  }}\n]\n"
    if dynamic_batching is not None:
        text += "dynamic_batching {" + (f"\n{dynamic_batching}\n" if dynamic_batching else " ") + "}\n"
    return text + extra


def write_multi_model(path):
    """Writes the `multi` model; False when the `onnx` package is missing."""
    try:
        from onnx import TensorProto, helper, save
    except ImportError:
        return False
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])
    outputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["batch", 4]) for n in ("doubled", "squared", "negated")]
    nodes = [
        helper.make_node("Add", ["x", "x"], ["doubled"]),
        helper.make_node("Mul", ["x", "x"], ["squared"]),
        helper.make_node("Neg", ["x"], ["negated"]),
    ]
    model = helper.make_model(helper.make_graph(nodes, "multi", [x], outputs), opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    save(model, str(path))
    return True


MULTI_CONFIG = config("multi", 8, [("x", [4])], [("doubled", [4]), ("squared", [4]), ("negated", [4])],
                      dynamic_batching="  max_queue_delay_microseconds: 2000")

# Triton's ensemble format: input_map is step model input -> ensemble tensor, output_map is step
# model output -> ensemble tensor. The ensemble's own version directory stays empty, as in Triton.
MULTI_CHAIN_CONFIG = '''name: "multi_chain"
platform: "ensemble"
max_batch_size: 8
input [ { name: "INPUT" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [
  { name: "SQUARED" data_type: TYPE_FP32 dims: [ 4 ] },
  { name: "NEGATED" data_type: TYPE_FP32 dims: [ 4 ] }
]
ensemble_scheduling {
  step [
    {
      model_name: "multi"
      model_version: -1
      input_map { key: "x" value: "INPUT" }
      output_map { key: "doubled" value: "DOUBLED" }
    },
    {
      model_name: "multi"
      model_version: -1
      input_map { key: "x" value: "DOUBLED" }
      output_map { key: "squared" value: "SQUARED" }
      output_map { key: "negated" value: "NEGATED" }
    }
  ]
}
'''


def models(max_batch):
    """(name, model file, config text or None) for every repository entry."""
    cls_io = ([("x", [3, 48, 192])], [("save_infer_model/scale_0.tmp_1", [2])])
    return [
        ("cls", CLS, config("cls", max_batch, *cls_io, dynamic_batching="  max_queue_delay_microseconds: 0")),
        ("cls_preferred", CLS, config("cls_preferred", max_batch, *cls_io,
                                      dynamic_batching=f"  preferred_batch_size: [ {max_batch} ]\n  max_queue_delay_microseconds: 0")),
        ("cls_nobatch", CLS, config("cls_nobatch", max_batch, *cls_io)),
        ("rec", REC, config("rec", 8, [("x", [3, 48, 320])], [("softmax_11.tmp_0", [40, 6625])],
                            dynamic_batching="  max_queue_delay_microseconds: 0")),
        ("det", DET, config("det", 4, [("x", [3, 640, 640])], [("sigmoid_0.tmp_0", [1, 640, 640])],
                            dynamic_batching="  max_queue_delay_microseconds: 0")),
        ("yolo", YOLO, None),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, default=ROOT / "models", help="folder with the fetched .onnx files")
    parser.add_argument("--out", type=Path, default=ROOT / ".cache" / "repository", help="repository folder to (re)build")
    parser.add_argument("--copy", action="store_true", help="copy the model files instead of symlinking them")
    parser.add_argument("--max-batch", type=int, default=16, help="max_batch_size of cls and cls_nobatch")
    parser.add_argument("--only", default="", help="comma-separated model names to include (default: all)")
    args = parser.parse_args()

    wanted = set(filter(None, args.only.split(",")))
    entries = [e for e in models(args.max_batch) if not wanted or e[0] in wanted]
    missing = [f for _, f, _ in entries if not (args.models / f).is_file()]
    if missing:
        sys.exit(f"make-repository: missing in {args.models}: {', '.join(missing)} (run scripts/fetch-models.sh)")

    if args.out.exists():
        shutil.rmtree(args.out)
    names = [e[0] for e in entries]
    if not wanted or "multi" in wanted:
        (args.out / "multi" / "1").mkdir(parents=True)
        if write_multi_model(args.out / "multi" / "1" / "model.onnx"):
            (args.out / "multi" / "config.pbtxt").write_text(MULTI_CONFIG)
            names.append("multi")
            (args.out / "multi_chain" / "1").mkdir(parents=True)
            (args.out / "multi_chain" / "config.pbtxt").write_text(MULTI_CHAIN_CONFIG)
            names.append("multi_chain")
        else:
            shutil.rmtree(args.out / "multi")
            print("make-repository: no `onnx` package in this Python: skipping the `multi` model", file=sys.stderr)
    for name, file, text in entries:
        version = args.out / name / "1"
        version.mkdir(parents=True)
        source = (args.models / file).resolve()
        if args.copy:
            shutil.copyfile(source, version / "model.onnx")
        else:
            os.symlink(source, version / "model.onnx")
        if text is not None:
            (args.out / name / "config.pbtxt").write_text(text)
    print(f"repository {args.out}: {', '.join(names)}")


if __name__ == "__main__":
    main()
