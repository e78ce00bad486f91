#!/usr/bin/env python3
"""Pipeline overlap benchmark (issue 5: "pipeline throughput ≥ 90 % of its slowest stage's
standalone throughput"): a detection pipeline on 4K JPEG frames, beside each of its stages run
alone with the same resources, interleaved.

    .venv/bin/python benchmarks/pipeline_overlap.py [--switchyard .build/release/switchyard] [--threads 1,2] [--repeats 3]

The pipeline: images → decode-image (`fit_size: [320, 320]`: a DCT-scaled 1/8 decode, 480×270, enough for
the letterbox's 320×180; `--decode cover` uses `min_size: [320, 320]`, 1/4 and 960×540; `--decode full` decodes at
3840×2160) → letterbox 320 → normalize → YOLOv8n (model stage, two requests
in flight, so the next frame is already queued when a run ends) → yolo-decode → JSON Lines. Its stages alone:
- pre: the same spec without the model and post-processing (images → decode → letterbox →
  normalize → JSON Lines), frames/s from its summary;
- model: `switchyard bench` of the same model at batch 1 with the same thread count, items/s;
- post (yolo-decode, well under a millisecond) is reported from the full run's stage p50.
A pipeline that only ran its stages one after another would reach 1 / (1/pre + 1/model); one whose
queues overlap them reaches min(pre, model) when the machine has a core for each. `--threads` is
the model's thread budget (`pipeline run --threads`, `bench --threads`); pre-processing always has
its own worker thread, so with 2 threads on this 2-core machine it competes with the model.
Frames: `--frames` 3840×2160 JPEGs cut from scikit-image's photos into .cache/pipeline-overlap/. At
that size decoding costs about as much as the model on one thread, so a pipeline that did not
overlap its stages would show it (the "sequential bound" column).
"""
import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from ocr_pipeline import run_switchyard

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".cache" / "pipeline-overlap"
MODEL = ROOT / "models" / "yolov8n-320.onnx"

PRE_STAGES = """
  - name: frames
    type: source
    kind: images
    path: frames
  - name: decode
    type: processor
    processor: decode-image
    inputs: [frames]{decode_options}
  - name: letterbox
    type: processor
    processor: letterbox
    inputs: [decode]
    options: {width: 320, height: 320}
  - name: normalize
    type: processor
    processor: normalize
    inputs: [letterbox]
    options: {input: letterboxed}
"""

FULL_TAIL = """
  - name: yolo
    type: model
    model: yolo
    inputs: [normalize]
    workers: 2
    input_map: {tensor: images}
  - name: boxes
    type: processor
    processor: yolo-decode
    inputs: [yolo]
  - name: out
    type: sink
    kind: jsonl
    path: full.jsonl
    inputs: [boxes]
"""

PRE_TAIL = """
  - name: out
    type: sink
    kind: jsonl
    path: pre.jsonl
    inputs: [normalize]
"""


def make_frames(count, folder):
    """`count` 3840×2160 JPEGs: random crops, flips and brightness of scikit-image's photos."""
    if len(list(folder.glob("*.jpg"))) == count and Image.open(next(folder.glob("*.jpg"))).size == (3840, 2160):
        return
    from skimage import data
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.jpg"):
        old.unlink()
    photos = [data.astronaut(), data.coffee(), data.chelsea(), data.rocket()]
    rng = np.random.default_rng(5)
    for index in range(count):
        photo = photos[index % len(photos)]
        h, w = photo.shape[:2]
        crop_h, crop_w = int(h * rng.uniform(0.6, 1.0)), int(w * rng.uniform(0.6, 1.0))
        top, left = rng.integers(0, h - crop_h + 1), rng.integers(0, w - crop_w + 1)
        image = Image.fromarray(photo[top:top + crop_h, left:left + crop_w]).resize((3840, 2160), Image.BILINEAR)
        pixels = np.asarray(image, dtype=np.float32) * rng.uniform(0.7, 1.3)
        if rng.random() < 0.5:
            pixels = pixels[:, ::-1]
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(folder / f"frame{index:04d}.jpg", quality=90)


def write_specs(decode):
    """The full and pre-only specs; `decode` is "fit" (decode-image `fit_size` = the letterbox's size),
    "cover" (`min_size`, both sides at least that size) or "full"."""
    options = {"fit": "\n    options: {fit_size: [320, 320]}", "cover": "\n    options: {min_size: [320, 320]}"}.get(decode, "")
    pre = PRE_STAGES.replace("{decode_options}", options)
    subprocess.run([sys.executable, "scripts/make-repository.py", "--only", "yolo", "--out", str(WORK / "repository")],
                   cwd=ROOT, check=True, capture_output=True)
    (WORK / "full.yaml").write_text("name: overlap\nrepository: repository\nstages:" + pre + FULL_TAIL)
    (WORK / "pre.yaml").write_text("name: overlap-pre\nstages:" + pre + PRE_TAIL)


def run_bench(binary, threads):
    done = subprocess.run([binary, "bench", str(MODEL), "--shape", "images=1x3x320x320", "--batch", "1",
                           "--threads", str(threads), "--iterations", "40", "--json"],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"pipeline_overlap: bench failed:\n{done.stderr}")
    rows = json.loads(done.stdout)
    row = rows[0] if isinstance(rows, list) else rows["results"][0]
    return row["itemsPerSecond"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--switchyard", default=str(ROOT / ".build/release/switchyard"))
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--decode", choices=["fit", "cover", "full"], default="fit",
                        help="decode-image with fit_size (what the letterbox uses; default), min_size (both sides) or at full size")
    args = parser.parse_args()

    make_frames(args.frames, WORK / "frames")
    write_specs(args.decode)
    runs = {}
    for repeat in range(args.repeats):
        for threads in (int(t) for t in args.threads.split(",")):
            full = run_switchyard(args.switchyard, str(WORK / "full.yaml"), threads, WORK / "full.db")
            pre = run_switchyard(args.switchyard, str(WORK / "pre.yaml"), threads, WORK / "pre.db")
            model = run_bench(args.switchyard, threads)
            for key, value in (("full", full["pages_per_s"]), ("pre", pre["pages_per_s"]), ("model", model)):
                runs.setdefault(threads, {}).setdefault(key, []).append(value)
            runs[threads].setdefault("stages", []).append(full["stage_p50_ms"])
            slowest = min(pre["pages_per_s"], model)
            print(f"[{repeat + 1}/{args.repeats}] {threads} thread(s): pipeline {full['pages_per_s']:.1f} frames/s, "
                  f"pre alone {pre['pages_per_s']:.1f}, model alone {model:.1f} → {full['pages_per_s'] / slowest:.2f} "
                  f"of the slowest", flush=True)

    print("\n| model threads | pipeline frames/s | pre alone | model alone | pipeline ÷ slowest stage (runs) "
          "| sequential bound ÷ slowest | stage p50 ms (full run) |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for threads, values in runs.items():
        ratios = [f / min(p, m) for f, p, m in zip(values["full"], values["pre"], values["model"])]
        full, pre, model = (statistics.median(values[k]) for k in ("full", "pre", "model"))
        sequential = 1 / (1 / pre + 1 / model)
        stages = ", ".join(f"{name} {statistics.median(s.get(name, 0) for s in values['stages']):.1f}"
                           for name in values["stages"][0])
        print(f"| {threads} | {full:.1f} | {pre:.1f} | {model:.1f} | **{statistics.median(ratios):.2f}** "
              f"({', '.join(f'{r:.2f}' for r in ratios)}) | {sequential / min(pre, model):.2f} | {stages} |")
    (WORK / "results.json").write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
