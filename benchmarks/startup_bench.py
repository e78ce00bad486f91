#!/usr/bin/env python3
"""Start-to-ready time and idle memory of `switchyard serve` (issue 3's target: ready within 1 s plus
the models' load time; the idle RSS of a server holding three small models).

    .venv/bin/python benchmarks/startup_bench.py --switchyard .build/release/switchyard [--repeats 3]

Each repeat starts the server twice, on an empty repository and on one with the PP-OCR classifier,
the PP-OCRv4 recognizer and YOLOv8n (scripts/make-repository.py --only cls,rec,yolo), and times
from the process start to the first 200 of GET /v2/health/ready (polled every 5 ms). The models'
own load times (parse, optimize, compile, warm-up, batch profile) come from the statistics
extension (`residency.last_load_ns`); the server loads them at once, so what its start adds is
ready − the longest load (the empty repository's ready time measures the same without models).
After 2 s idle the server's VmRSS is read from /proc; then
SIGTERM, and the time to exit. Medians are printed as a Markdown table.

Standard library only.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from local_ports import free_ports

ROOT = Path(__file__).resolve().parent.parent
MODELS = ["cls", "rec", "yolo"]


def get(url, timeout=1.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def rss_bytes(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None


def one_start(binary, repository, models, log):
    http, metrics = free_ports(2)
    started = time.monotonic()
    server = subprocess.Popen([binary, "serve", "--model-repository", str(repository), "--http-port", str(http),
                               "--metrics-port", str(metrics)], stdout=log, stderr=log)
    base = f"http://127.0.0.1:{http}"
    ready = None
    try:
        while time.monotonic() - started < 300:
            if server.poll() is not None:
                raise SystemExit(f"startup_bench: the server exited with {server.returncode}; see {log.name}")
            try:
                if get(f"{base}/v2/health/ready", timeout=0.5)[0] == 200:
                    ready = time.monotonic() - started
                    break
            except OSError:
                pass
            time.sleep(0.005)
        if ready is None:
            raise SystemExit("startup_bench: not ready after 300 s")
        loads = []
        for model in models:
            stats = json.loads(get(f"{base}/v2/models/{model}/stats")[1])["model_stats"][0]
            loads.append(stats["residency"]["last_load_ns"] / 1e9)
        time.sleep(2)
        rss = rss_bytes(server.pid)
    finally:
        stop_started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        stopped = time.monotonic() - stop_started
    return {"ready_s": ready, "loads_s": loads, "rss_bytes": rss, "exit_s": stopped}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--switchyard", default=str(ROOT / ".build/release/switchyard"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / ".cache/startup"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    repository = out / "repository"
    subprocess.run([sys.executable, str(ROOT / "scripts/make-repository.py"), "--only", ",".join(MODELS),
                    "--out", str(repository)], check=True, stdout=subprocess.DEVNULL)
    empty = Path(tempfile.mkdtemp(prefix="switchyard-empty-repo-"))

    runs = {"empty": [], "models": []}
    with open(out / "server.log", "w") as log:
        for repeat in range(args.repeats):
            for kind, folder, models in (("empty", empty, []), ("models", repository, MODELS)):
                result = one_start(args.switchyard, folder, models, log)
                runs[kind].append(result)
                loads = ", ".join(f"{m} {s:.2f} s" for m, s in zip(models, result["loads_s"]))
                print(f"[{repeat + 1}/{args.repeats}] {kind}: ready after {result['ready_s']:.3f} s"
                      f"{' (loads: ' + loads + ')' if loads else ''}, idle RSS {result['rss_bytes'] / 2**20:.1f} MiB,"
                      f" exit after SIGTERM {result['exit_s']:.3f} s", flush=True)
    os.rmdir(empty)

    def median(kind, key):
        return statistics.median(run[key] for run in runs[kind])

    longest = [max(run["loads_s"]) for run in runs["models"]]
    load_sums = [sum(run["loads_s"]) for run in runs["models"]]
    beyond = [run["ready_s"] - max(run["loads_s"]) for run in runs["models"]]
    print()
    print("| repository | start → ready (s) | longest load (s) | loads, sum (s) | ready − longest load (s) | idle RSS (MiB) | exit after SIGTERM (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(f"| empty | {median('empty', 'ready_s'):.3f} | – | – | {median('empty', 'ready_s'):.3f} | "
          f"{median('empty', 'rss_bytes') / 2**20:.1f} | {median('empty', 'exit_s'):.3f} |")
    print(f"| {', '.join(MODELS)} | {median('models', 'ready_s'):.3f} | {statistics.median(longest):.3f} | "
          f"{statistics.median(load_sums):.3f} | {statistics.median(beyond):.3f} | "
          f"{median('models', 'rss_bytes') / 2**20:.1f} | {median('models', 'exit_s'):.3f} |")
    (out / "results.json").write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
