#!/usr/bin/env python3
"""Run rapidocr-onnxruntime 1.4.4's own Python pipeline on the rendered pages (the reference).

Writes one JSON line per recognised line: {"page", "line", "quad" [[x, y] x4], "box" [x1, y1, x2, y2],
"text", "score"} into OUT (default .cache/ocr-pages/rapidocr.jsonl), using the same three models as
models/*.onnx (passed explicitly, so the wheel's copies are not used). With --time it also measures
pages/s on each of --threads (default 1,2) intra-op thread counts (median of --repeats passes over
all pages, after a warm-up on two pages) and writes them to OUT's sibling rapidocr-timing.json;
--time-only skips writing the lines (for benchmarks that interleave it with other runs).

Usage: scripts/rapidocr-reference.py [--pages DIR] [--models DIR] [--out FILE] [--time] [--time-only]
                                     [--threads 1,2] [--repeats N]
"""
import argparse
import json
import statistics
import time
from pathlib import Path

from rapidocr_onnxruntime import RapidOCR


def engine(models: Path, threads: int):
    return RapidOCR(det_model_path=str(models / "ch_PP-OCRv4_det_infer.onnx"),
                    cls_model_path=str(models / "ch_ppocr_mobile_v2.0_cls_infer.onnx"),
                    rec_model_path=str(models / "ch_PP-OCRv4_rec_infer.onnx"),
                    intra_op_num_threads=threads, inter_op_num_threads=1)


def run_pages(ocr, pages, stage_seconds=None):
    """{page name: [(quad, text, score)]}; appends each page's [det, cls, rec] seconds to stage_seconds."""
    results = {}
    for page in pages:
        result, elapsed = ocr(str(page))
        results[page.name] = result or []
        if stage_seconds is not None and elapsed and len(elapsed) == 3:
            stage_seconds.append(elapsed)
    return results


def write_lines(results, out):
    with open(out, "w", encoding="utf-8") as sink:
        for name, result in results.items():
            for number, (quad, text, score) in enumerate(result):
                xs = [p[0] for p in quad]
                ys = [p[1] for p in quad]
                sink.write(json.dumps({"page": name, "line": number, "quad": quad,
                                       "box": [min(xs), min(ys), max(xs), max(ys)],
                                       "text": text, "score": float(score)}) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default=".cache/ocr-pages")
    parser.add_argument("--models", default="models")
    parser.add_argument("--out", default=None)
    parser.add_argument("--time", action="store_true")
    parser.add_argument("--time-only", action="store_true")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    folder = Path(args.pages)
    pages = sorted(folder.glob("page-*.png"))
    if not pages:
        raise SystemExit(f"rapidocr-reference: no page-*.png in {folder} (run scripts/make-ocr-pages.py)")
    out = Path(args.out) if args.out else folder / "rapidocr.jsonl"
    models = Path(args.models)

    if not args.time_only:
        write_lines(run_pages(engine(models, 2), pages), out)
        print(f"rapidocr-reference: {len(pages)} pages -> {out}")

    if args.time or args.time_only:
        timing = {"pages": len(pages), "repeats": args.repeats}
        for threads in [int(t) for t in args.threads.split(",")]:
            timed = engine(models, threads)
            run_pages(timed, pages[:2])  # warm-up
            rates, stages = [], []
            for _ in range(args.repeats):
                start = time.perf_counter()
                run_pages(timed, pages, stages)
                rates.append(len(pages) / (time.perf_counter() - start))
            per_stage = {name: statistics.median(s[i] for s in stages) * 1000 for i, name in enumerate(("det", "cls", "rec"))}
            timing[f"threads_{threads}"] = {"pages_per_s_median": statistics.median(rates), "runs": rates,
                                            "stage_ms_per_page_median": per_stage}
            print(f"rapidocr-reference: {threads} thread(s): {statistics.median(rates):.2f} pages/s "
                  f"(median of {args.repeats}: {', '.join(f'{r:.2f}' for r in rates)}); "
                  f"per page: " + ", ".join(f"{k} {v:.0f} ms" for k, v in per_stage.items()))
        if args.time_only:
            print(json.dumps(timing))
        else:
            (out.parent / "rapidocr-timing.json").write_text(json.dumps(timing, indent=2) + "\n")


if __name__ == "__main__":
    main()
