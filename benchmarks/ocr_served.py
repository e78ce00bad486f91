#!/usr/bin/env python3
"""The OCR pipeline served as a model (`ocr` in .cache/ocr-repository, examples/ocr/served.yaml)
against `switchyard pipeline run examples/ocr/pipeline.yaml` on the same pages: checks that every
page's lines (text and quad) over KServe v2 (tritonclient, the page's PNG as a BYTES tensor) equal
the events of the batch run, then measures pages/s over HTTP at each concurrency beside the batch
run's pages/s, with the same --threads.

    .venv-clients/bin/python benchmarks/ocr_served.py [--switchyard .build/release/switchyard] [--threads 2]
        [--concurrency 1,4] [--repeats 3]

Needs scripts/prepare-ocr-example.sh (or scripts/make-ocr-pages.py + scripts/make-ocr-repository.py).
Exits 1 when a page differs. Writes every run to .cache/bench-ocr-served.json.
"""
import argparse
import json
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import tritonclient.http as httpclient

from local_ports import free_ports

ROOT = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(r"pipeline \S+: (\d+) frames in, (\d+) events out, (\d+) errors, (\d+) dropped, ([\d.]+) s")


def batch_run(binary, pages, threads):
    """`pipeline run` on the pages: (pages/s, {page index: [(text, quad)]})."""
    events = Path(tempfile.mkdtemp(prefix="ocr-served-")) / "events.db"
    done = subprocess.run([binary, "pipeline", "run", "examples/ocr/pipeline.yaml", "--source", str(pages),
                           "--events", str(events), "--threads", str(threads)], cwd=ROOT, capture_output=True, text=True)
    match = SUMMARY.search(done.stdout + done.stderr)
    if done.returncode != 0 or not match:
        sys.exit(f"ocr_served: pipeline run failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    lines = {}
    with sqlite3.connect(events) as db:
        for frame, text, box in db.execute(
                "SELECT frame, text, box FROM events WHERE error IS NULL AND text IS NOT NULL ORDER BY frame, region"):
            lines.setdefault(frame, []).append((text, json.loads(box)))
    return int(match.group(1)) / float(match.group(5)), lines


def infer_page(client, data):
    image = httpclient.InferInput("image", [1], "BYTES")
    image.set_data_from_numpy(np.array([data], dtype=np.object_), binary_data=True)
    result = client.infer("ocr", [image])
    texts = [t.decode() if isinstance(t, bytes) else str(t) for t in result.as_numpy("text")]
    return texts, result.as_numpy("scores"), result.as_numpy("boxes")


def served_rate(url, pages, concurrency, rounds):
    """Pages/s with `concurrency` clients each sending every `concurrency`-th page, `rounds` times."""
    errors = []

    def worker(offset):
        with httpclient.InferenceServerClient(url, network_timeout=600.0, concurrency=1) as client:
            for _ in range(rounds):
                for data in pages[offset::concurrency]:
                    try:
                        infer_page(client, data)
                    except Exception as error:  # noqa: BLE001 - reported below
                        errors.append(str(error))

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    if errors:
        sys.exit(f"ocr_served: {len(errors)} requests failed, e.g. {errors[0]}")
    return len(pages) * rounds / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--switchyard", default=str(ROOT / ".build/release/switchyard"))
    parser.add_argument("--repository", default=str(ROOT / ".cache/ocr-repository"))
    parser.add_argument("--pages", default=str(ROOT / ".cache/ocr-pages"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--concurrency", default="1,4")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1, help="times each client sends its pages per measurement")
    args = parser.parse_args()

    files = sorted(p for p in Path(args.pages).iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg"))
    pages = [f.read_bytes() for f in files]
    http_port, metrics_port = free_ports(2)
    log = open(ROOT / ".cache" / "ocr-served-server.log", "w")
    server = subprocess.Popen([args.switchyard, "serve", "--model-repository", args.repository, "--http-port", str(http_port),
                               "--metrics-port", str(metrics_port), "--threads", str(args.threads)],
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"127.0.0.1:{http_port}"
    try:
        for _ in range(1200):
            try:
                with urllib.request.urlopen(f"http://{url}/v2/models/ocr/ready", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None:
                sys.exit("ocr_served: switchyard serve exited; see .cache/ocr-served-server.log")
            time.sleep(0.25)
        else:
            sys.exit("ocr_served: the ocr pipeline was not ready after 300 s")

        batch_rate, reference = batch_run(args.switchyard, args.pages, args.threads)
        mismatches, lines = 0, 0
        with httpclient.InferenceServerClient(url, network_timeout=600.0) as client:
            metadata = client.get_model_metadata("ocr")
            assert metadata["platform"] == "ensemble", metadata
            for index, data in enumerate(pages):
                texts, scores, boxes = infer_page(client, data)
                expected = reference.get(index, [])
                lines += len(expected)
                same = [t for t, _ in expected] == texts and len(scores) == len(texts) and boxes.shape == (len(texts), 8)
                same = same and all(np.allclose(box, quad, atol=1e-3) for box, (_, quad) in zip(boxes, expected))
                if not same:
                    mismatches += 1
                    print(f"page {files[index].name}: served {texts} vs pipeline run {[t for t, _ in expected]}")
        print(f"correctness: {len(pages) - mismatches}/{len(pages)} pages ({lines} lines) identical to `pipeline run`")

        results = {"threads": args.threads, "pages": len(pages), "batch_pages_per_s": [batch_rate], "served": {}}
        for repeat in range(args.repeats):
            if repeat:
                results["batch_pages_per_s"].append(batch_run(args.switchyard, args.pages, args.threads)[0])
            for concurrency in map(int, args.concurrency.split(",")):
                rate = served_rate(url, pages, concurrency, args.rounds)
                results["served"].setdefault(str(concurrency), []).append(rate)
        batch = statistics.median(results["batch_pages_per_s"])
        print(f"pipeline run (batch, {args.threads} threads): {batch:.2f} pages/s (median of {len(results['batch_pages_per_s'])})")
        for concurrency, rates in results["served"].items():
            median = statistics.median(rates)
            print(f"served over HTTP, concurrency {concurrency}: {median:.2f} pages/s = {median / batch:.2f}x pipeline run "
                  f"(runs {', '.join(f'{r:.2f}' for r in rates)})")
        (ROOT / ".cache" / "bench-ocr-served.json").write_text(json.dumps(results, indent=1))
        return 1 if mismatches else 0
    finally:
        server.terminate()
        server.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
