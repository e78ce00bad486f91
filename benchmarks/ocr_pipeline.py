#!/usr/bin/env python3
"""OCR pipeline benchmark: Switchyard's `pipeline run examples/ocr/pipeline.yaml` beside
rapidocr-onnxruntime's Python pipeline on the same pages, the same models and the same thread
counts, interleaved (rapidocr, Switchyard, rapidocr, …) so both see the same machine load.

    .venv/bin/python benchmarks/ocr_pipeline.py [--switchyard .build/release/switchyard] [--threads 1,2] [--repeats 3]

Switchyard: pages/s from the run's summary (frames / elapsed; the models are loaded before the
clock starts) and each stage's p50 latency. rapidocr: pages/s over all pages after a two-page
warm-up, and its own per-page det/cls/rec times. Prints medians of --repeats and writes every run
to .cache/bench-ocr-pipeline.json.
"""
import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(r"pipeline \S+: (\d+) frames in, (\d+) events out, (\d+) errors, (\d+) dropped, ([\d.]+) s")
STAGE = re.compile(r"^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+) ms\s+([\d.]+) ms", re.M)


def run_switchyard(binary, spec, threads, events):
    for suffix in ("", "-wal", "-shm"):
        Path(str(events) + suffix).unlink(missing_ok=True)
    start = time.perf_counter()
    done = subprocess.run([binary, "pipeline", "run", spec, "--events", str(events), "--threads", str(threads)],
                          cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    output = done.stdout + done.stderr
    match = SUMMARY.search(output)
    if done.returncode != 0 or not match:
        sys.exit(f"ocr_pipeline: switchyard failed ({done.returncode}):\n{output}")
    frames, events_out, errors, _, elapsed = match.groups()
    stages = {m.group(1): float(m.group(5)) for m in STAGE.finditer(output)}
    return {"pages_per_s": int(frames) / float(elapsed), "elapsed_s": float(elapsed), "wall_s": wall,
            "events": int(events_out), "errors": int(errors), "stage_p50_ms": stages}


def run_rapidocr(python, threads):
    done = subprocess.run([python, "scripts/rapidocr-reference.py", "--time-only", "--threads", str(threads), "--repeats", "1"],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"ocr_pipeline: rapidocr failed:\n{done.stderr}")
    timing = json.loads(done.stdout.strip().splitlines()[-1])[f"threads_{threads}"]
    return {"pages_per_s": timing["runs"][0], "stage_ms_per_page": timing["stage_ms_per_page_median"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--switchyard", default=str(ROOT / ".build/release/switchyard"))
    parser.add_argument("--spec", default="examples/ocr/pipeline.yaml")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    runs = {"command": " ".join(sys.argv), "switchyard": {}, "rapidocr": {}}
    thread_counts = [int(t) for t in args.threads.split(",")]
    for repeat in range(args.repeats):
        for threads in thread_counts:
            reference = run_rapidocr(sys.executable, threads)
            ours = run_switchyard(args.switchyard, args.spec, threads, ROOT / ".cache" / "bench-ocr-events.db")
            runs["rapidocr"].setdefault(threads, []).append(reference)
            runs["switchyard"].setdefault(threads, []).append(ours)
            print(f"[{repeat + 1}/{args.repeats}] {threads} thread(s): rapidocr {reference['pages_per_s']:.2f} pages/s, "
                  f"switchyard {ours['pages_per_s']:.2f} pages/s ({ours['events']} events, {ours['errors']} errors)", flush=True)
    (ROOT / ".cache" / "bench-ocr-pipeline.json").write_text(json.dumps(runs, indent=2) + "\n")

    print("\n| threads | rapidocr pages/s | Switchyard pages/s | ratio | Switchyard stage p50 (ms) | rapidocr det/cls/rec per page (ms) |")
    print("|---|---|---|---|---|---|")
    for threads in thread_counts:
        theirs = statistics.median(r["pages_per_s"] for r in runs["rapidocr"][threads])
        ours = statistics.median(r["pages_per_s"] for r in runs["switchyard"][threads])
        stage_names = runs["switchyard"][threads][0]["stage_p50_ms"].keys()
        stages = ", ".join(f"{name} {statistics.median(r['stage_p50_ms'].get(name, 0) for r in runs['switchyard'][threads]):.1f}"
                           for name in stage_names)
        reference_stages = "/".join(f"{statistics.median(r['stage_ms_per_page'][k] for r in runs['rapidocr'][threads]):.0f}"
                                    for k in ("det", "cls", "rec"))
        print(f"| {threads} | {theirs:.2f} | {ours:.2f} | {ours / theirs:.2f}× | {stages} | {reference_stages} |")


if __name__ == "__main__":
    main()
