#!/usr/bin/env python3
"""Builds the model repository of the OCR and video example pipelines (examples/ocr, examples/video):
`<out>/<name>/config.pbtxt` + `<out>/<name>/1/model.onnx` (a symlink to models/).

    scripts/make-ocr-repository.py [--models DIR] [--out DIR] [--max-batch N] [--queue-delay-us N]

  ocr_det  PP-OCRv4 detector, [3, -1, -1] (any page size; pages of one size batch together)
  ocr_cls  PP-OCR direction classifier, [3, 48, 192]
  ocr_rec  PP-OCRv4 recognizer, [3, 48, -1] (lines padded to the same width batch together)
All three with dynamic batching (max_batch_size N, default 8; queue delay default 2 ms, so the
lines of a page that arrive together form one batch). Standard library only; idempotent.
  ocr      examples/ocr/served.yaml as ocr/pipeline.yaml: the OCR pipeline served as a model by
           `switchyard serve` (image BYTES in; text, scores, boxes out); `pipeline run` ignores it.
"""
import argparse
import importlib.util
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The config.pbtxt writer of scripts/make-repository.py (one way to write Triton configs).
_spec = importlib.util.spec_from_file_location("make_repository", ROOT / "scripts" / "make-repository.py")
make_repository = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_repository)


def entries(max_batch, delay_us):
    batching = f"  max_queue_delay_microseconds: {delay_us}"
    return [
        ("ocr_det", make_repository.DET,
         [("x", [3, -1, -1])], [("sigmoid_0.tmp_0", [1, -1, -1])]),
        ("ocr_cls", make_repository.CLS,
         [("x", [3, 48, 192])], [("save_infer_model/scale_0.tmp_1", [2])]),
        ("ocr_rec", make_repository.REC,
         [("x", [3, 48, -1])], [("softmax_11.tmp_0", [-1, 6625])]),
    ], batching


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    parser.add_argument("--out", type=Path, default=ROOT / ".cache" / "ocr-repository")
    parser.add_argument("--max-batch", type=int, default=8)
    parser.add_argument("--queue-delay-us", type=int, default=2000)
    args = parser.parse_args()

    models, batching = entries(args.max_batch, args.queue_delay_us)
    missing = [file for _, file, _, _ in models if not (args.models / file).is_file()]
    if missing:
        sys.exit(f"make-ocr-repository: missing in {args.models}: {', '.join(missing)} (run scripts/fetch-models.sh)")
    if args.out.exists():
        shutil.rmtree(args.out)
    for name, file, inputs, outputs in models:
        version = args.out / name / "1"
        version.mkdir(parents=True)
        os.symlink((args.models / file).resolve(), version / "model.onnx")
        text = make_repository.config(name, args.max_batch, inputs, outputs, dynamic_batching=batching)
        (args.out / name / "config.pbtxt").write_text(text)
    (args.out / "ocr").mkdir()
    shutil.copyfile(ROOT / "examples" / "ocr" / "served.yaml", args.out / "ocr" / "pipeline.yaml")
    print(f"make-ocr-repository: {args.out}: {', '.join(m[0] for m in models)}, ocr (pipeline)")


if __name__ == "__main__":
    main()
