#!/usr/bin/env python3
"""The serving benchmark's measuring and reporting half (scripts/bench-serving.sh drives it).

  serving_bench.py sweep --url HOST:PORT [--grpc-url HOST:PORT] --model cls[,cls_nobatch,cls@grpc,…]
                         --server switchyard --out FILE.json
      perf_analyzer (scripts/perf_analyzer.sh, HTTP with binary tensors, or gRPC for a `model@grpc`
      target; batch-1 requests of a finite image from --input-data) at each concurrency level,
      REPEATS times; per level the medians of throughput, p50 and p99 and the server's average
      batch (inference count / execution count from the statistics extension).
      With several targets (--out then names the file with `{model}`: `cls`, `cls-grpc`), every
      target is warmed up before anything is timed, and the targets take turns at each level, the
      first one rotating: no target always runs first after start-up, and the targets compared at a
      level are measured minutes, not a whole sweep, apart.
  serving_bench.py report --sweeps A.json B.json … --engine BENCH.json [--markdown FILE]
      the table, server overhead (server throughput at saturation / in-process engine throughput
      at the same batch, from `switchyard bench --json`), the batching on/off and gRPC/HTTP ratios.

Noise: perf_analyzer measures in count windows (`--measurement-mode count_windows`: each window a
fixed number of requests, throughput from the real elapsed time; `--request-count` would round the
time to whole seconds) until three windows agree within 50% (`-s 50`); a level that a busy machine
keeps from stabilizing is measured again with stability off (-s 1000) and marked. The whole sweep
is repeated and the median of the repeats is reported with their spread (min–max).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_perf_analyzer(output):
    """Client throughput and latency percentiles, and the server-side counts, of one run."""
    def number(pattern, cast=float):
        match = re.search(pattern, output)
        return cast(match.group(1)) if match else None

    result = {
        "throughput": number(r"Throughput: ([\d.]+) infer/sec"),
        "p50_ms": number(r"p50 latency: (\d+) usec"),
        "p99_ms": number(r"p99 latency: (\d+) usec"),
        "inference_count": number(r"Inference count: (\d+)", int),
        "execution_count": number(r"Execution count: (\d+)", int),
        "success_count": number(r"Successful request count: (\d+)", int),
        "avg_ms": number(r"Avg latency: (\d+) usec"),
    }
    # The server's per-request split (statistics extension): from arrival at the model to the answer.
    server = re.search(r"Avg request latency: (\d+) usec \(overhead (\d+) usec \+ queue (\d+) usec \+ "
                       r"compute input (\d+) usec \+ compute infer (\d+) usec \+ compute output (\d+) usec\)", output)
    if server:
        total, overhead, queue, compute_input, compute_infer, compute_output = (int(g) / 1000.0 for g in server.groups())
        result.update(server_ms=total, server_queue_ms=queue, server_compute_ms=compute_input + compute_infer + compute_output)
    for key in ("p50_ms", "p99_ms", "avg_ms"):
        if result[key] is not None:
            result[key] /= 1000.0
    if result["inference_count"] and result["execution_count"]:
        result["average_batch"] = result["inference_count"] / result["execution_count"]
    return result


def requests_for(concurrency, scale):
    """Requests per count window: about a second at this machine's rates."""
    return int((40 + 15 * concurrency) * scale)


UNSTABLE = "Failed to obtain stable measurement"


def write_input_data(folder):
    """perf_analyzer's --input-data directory: a finite batch-1 image (its default random data is
    random bytes: NaN, Inf and denormals, which no real client sends and which can slow arithmetic)."""
    import numpy as np
    folder.mkdir(parents=True, exist_ok=True)
    np.random.default_rng(1).uniform(-1, 1, (3, 48, 192)).astype("<f4").tofile(folder / "x")
    return str(folder)


class Target:
    """One measured thing: a model over one protocol (`cls` is HTTP, `cls@grpc` gRPC)."""

    def __init__(self, spec, urls):
        self.model, _, self.protocol = spec.partition("@")
        self.protocol = self.protocol or "http"
        if self.protocol not in urls or not urls[self.protocol]:
            sys.exit(f"serving_bench: target {spec}: no --{self.protocol}-url given")
        self.url = urls[self.protocol]
        self.label = self.model if self.protocol == "http" else f"{self.model}-{self.protocol}"

    def perf_analyzer(self, data, *options):
        return [str(ROOT / "scripts/perf_analyzer.sh"), "-i", self.protocol, "-u", self.url, "-m", self.model,
                "--input-data", data, *options]


def measure(target, concurrency, window, data):
    """One perf_analyzer measurement; (parsed result, stability percentage it needed)."""
    for stability, trials in (("50", "4"), ("1000", "3")):
        command = target.perf_analyzer(data,
            "--concurrency-range", str(concurrency), "--measurement-mode", "count_windows",
            "--measurement-request-count", str(window), "--stability-percentage", stability, "--max-trials", trials)
        run = subprocess.run(command, capture_output=True, text=True, timeout=900)
        output = run.stdout + run.stderr
        if run.returncode == 0:
            return parse_perf_analyzer(output), int(stability)
        if UNSTABLE not in output:
            break
    sys.exit(f"serving_bench: {' '.join(command)} exited {run.returncode}:\n{output[-3000:]}")


def sweep(args):
    levels = [int(c) for c in args.concurrency.split(",")]
    targets = [Target(spec, {"http": args.url, "grpc": args.grpc_url}) for spec in args.model.split(",") if spec]
    if len(targets) > 1 and "{model}" not in args.out:
        sys.exit("serving_bench: with several models, --out must contain {model}")
    runs = {(t.label, c): [] for t in targets for c in levels}
    data = write_input_data(Path(args.out.format(model=targets[0].label)).parent / "input-data")
    # One untimed warm-up per target (plans, connections, the batcher's first batches).
    for target in targets:
        subprocess.run(target.perf_analyzer(data, "--concurrency-range", str(max(levels)),
                                            "--request-count", str(4 * max(levels))),
                       capture_output=True, text=True, timeout=600)
    turn = 0
    for repeat in range(args.repeats):
        for concurrency in levels:
            first = turn % len(targets)
            turn += 1
            for target in targets[first:] + targets[:first]:
                result, stability = measure(target, concurrency, requests_for(concurrency, args.scale), data)
                result["stability_percentage"] = stability
                runs[(target.label, concurrency)].append(result)
                print(f"  {args.server} {target.label} c={concurrency} run {repeat + 1}/{args.repeats}: "
                      f"{result['throughput']:.1f} infer/s, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
                      f"batch {result.get('average_batch', float('nan')):.2f}"
                      + ("" if stability == 50 else " (unstable: measured with stability off)"), flush=True)
    measured_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for target in targets:
        levels_out = [summarize(concurrency, runs[(target.label, concurrency)]) for concurrency in levels]
        Path(args.out.format(model=target.label)).write_text(json.dumps(
            {"server": args.server, "model": target.model, "protocol": target.protocol, "url": target.url,
             "measured_at": measured_at,
             "load_average": os.getloadavg(), "repeats": args.repeats, "levels": levels_out}, indent=1))


def summarize(concurrency, measured):
    """One level's medians over the repeats, with the throughput spread."""
    def median(key):
        values = [m[key] for m in measured if m.get(key) is not None]
        return statistics.median(values) if values else None

    throughputs = [m["throughput"] for m in measured]
    return {
        "concurrency": concurrency, "throughput": median("throughput"),
        "throughput_min": min(throughputs), "throughput_max": max(throughputs),
        "p50_ms": median("p50_ms"), "p99_ms": median("p99_ms"), "average_batch": median("average_batch"),
        "avg_ms": median("avg_ms"), "server_queue_ms": median("server_queue_ms"),
        "server_compute_ms": median("server_compute_ms"), "server_ms": median("server_ms"),
        "unstable_runs": sum(m["stability_percentage"] != 50 for m in measured), "runs": measured,
    }


def nearest_engine_result(engine, batch):
    """The in-process result whose batch is nearest (on a log scale) to `batch`."""
    import math
    return min(engine["results"], key=lambda r: abs(math.log(r["batch"]) - math.log(max(batch, 1.0))))


def protocol(run):
    return run.get("protocol", "http")


def name(run):
    """`server model` with the protocol when it is not HTTP, for the summary lines."""
    return f"{run['server']} {run['model']}" + ("" if protocol(run) == "http" else f" over {protocol(run)}")


def where_requests_are(sweeps):
    """Little's law on each level's medians: how many of the concurrent requests are, on average,
    outside the model (client, HTTP, decode: client latency − the server's request latency),
    queued, and running, at the measured throughput."""
    lines = []
    for run in sweeps:
        parts = []
        for level in run["levels"]:
            if None in (level.get("avg_ms"), level.get("server_ms"), level.get("server_queue_ms")):
                continue
            rate = level["throughput"] / 1000.0  # per ms
            outside = rate * (level["avg_ms"] - level["server_ms"])
            queued = rate * level["server_queue_ms"]
            running = rate * level["server_compute_ms"]
            parts.append(f"c{level['concurrency']} {outside:.1f} / {queued:.1f} / {running:.1f}")
        if parts:
            lines.append(f"- {name(run)}: requests outside the model / queued / running "
                         f"(Little's law on mean latencies): " + ", ".join(parts))
    return lines


def report(args):
    sweeps = [json.loads(Path(p).read_text()) for p in args.sweeps]
    engine = json.loads(Path(args.engine).read_text()) if args.engine else None
    lines = ["| server | model | protocol | concurrency | infer/s (median, min–max) | p50 ms | p99 ms | avg batch |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    for run in sweeps:
        for level in run["levels"]:
            batch = f"{level['average_batch']:.2f}" if level["average_batch"] else "–"
            flag = f" ({level['unstable_runs']} unstable)" if level.get("unstable_runs") else ""
            lines.append(f"| {run['server']} | {run['model']} | {protocol(run)} | {level['concurrency']} | {level['throughput']:.1f} "
                         f"({level['throughput_min']:.1f}–{level['throughput_max']:.1f}) | {level['p50_ms']:.1f} | "
                         f"{level['p99_ms']:.1f} | {batch}{flag} |")
    lines.append("")
    if engine:
        lines.append("In-process engine (`switchyard bench`, same run):")
        lines.append("")
        lines.append("| batch | threads | items/s | median ms |")
        lines.append("|---:|---:|---:|---:|")
        for result in engine["results"]:
            lines.append(f"| {result['batch']} | {result['threads']} | {result['itemsPerSecond']:.1f} | "
                         f"{result['medianSeconds'] * 1000:.2f} |")
        lines.append("")
    # The batching, overhead and peer comparisons are over HTTP; gRPC sweeps compare with their HTTP twin.
    by_key = {(s["server"], s["model"]): s for s in sweeps if protocol(s) == "http"}
    summary = []
    for run in sweeps:
        twin = by_key.get((run["server"], run["model"]))
        if protocol(run) != "http" and twin:
            ratios = [f"c{a['concurrency']} {a['throughput'] / b['throughput']:.2f}×" for a, b in zip(run["levels"], twin["levels"])]
            summary.append(f"- {run['server']} {run['model']}: {protocol(run)} / http throughput: {', '.join(ratios)}")
    for server in sorted({s["server"] for s in sweeps}):
        on, off = by_key.get((server, "cls")), by_key.get((server, "cls_nobatch"))
        for batched in ("cls", "cls_preferred"):
            run = by_key.get((server, batched))
            if run and off:
                ratios = [f"c{a['concurrency']} {a['throughput'] / b['throughput']:.2f}×" for a, b in zip(run["levels"], off["levels"])]
                summary.append(f"- {server}: batching on ({batched}) / off throughput: {', '.join(ratios)}")
        if server == "switchyard" and engine:
            best_engine = max(engine["results"], key=lambda r: r["itemsPerSecond"])
            for run in (on, by_key.get((server, "cls_preferred")), off):
                if not run:
                    continue
                saturated = max(run["levels"], key=lambda level: level["throughput"])
                batch = saturated["average_batch"] or 1.0
                same = nearest_engine_result(engine, batch)
                summary.append(
                    f"- switchyard {run['model']}: saturation {saturated['throughput']:.1f} infer/s at concurrency "
                    f"{saturated['concurrency']} (average batch {batch:.2f}); in-process at batch {same['batch']}: "
                    f"{same['itemsPerSecond']:.1f} items/s → server/engine {saturated['throughput'] / same['itemsPerSecond']:.2f} "
                    f"(overhead {100 * (1 - saturated['throughput'] / same['itemsPerSecond']):.0f}%); vs the engine's best "
                    f"(batch {best_engine['batch']}, {best_engine['itemsPerSecond']:.1f} items/s): "
                    f"{saturated['throughput'] / best_engine['itemsPerSecond']:.2f}")
    on, off = by_key.get(("switchyard", "cls")), by_key.get(("switchyard", "cls_nobatch"))
    at8 = lambda run: next((level for level in run["levels"] if level["concurrency"] == 8), None) if run else None
    if engine and at8(on):
        best_engine = max(engine["results"], key=lambda r: r["itemsPerSecond"])
        # Eight clients cannot form a batch above 8: the best the engine does within that reach, too.
        reachable = max((r for r in engine["results"] if r["batch"] <= 8), key=lambda r: r["itemsPerSecond"])
        line = (f"- targets at concurrency 8: switchyard cls {at8(on)['throughput']:.1f} infer/s = "
                f"{at8(on)['throughput'] / best_engine['itemsPerSecond']:.2f} of the engine's best (target ≥ 0.90; "
                f"{at8(on)['throughput'] / reachable['itemsPerSecond']:.2f} of its best at batch ≤ 8, "
                f"batch {reachable['batch']})")
        if at8(off):
            line += f"; batching on / off {at8(on)['throughput'] / at8(off)['throughput']:.2f}× (target ≥ 1.5×)"
        summary.append(line)
    if engine and on:
        checks = []
        for level in on["levels"]:
            same = nearest_engine_result(engine, level["concurrency"])
            bound = same["medianSeconds"] * 1000 + 5.0  # max_queue_delay is 0 in the repository
            checks.append(f"c{level['concurrency']} {level['p99_ms']:.1f}/{bound:.1f}")
        summary.append("- switchyard cls p99 vs target (queue delay 0 + engine median at batch = concurrency + 5 ms), "
                       "ms: " + ", ".join(checks))
    for server_a in ("switchyard",):
        for model in ("cls", "cls_nobatch"):
            a, b = by_key.get((server_a, model)), by_key.get(("pytriton", model))
            if a and b:
                ratios = [f"c{x['concurrency']} {x['throughput'] / y['throughput']:.2f}×" for x, y in zip(a["levels"], b["levels"])]
                summary.append(f"- {model}: switchyard / pytriton (Triton 2.51) throughput: {', '.join(ratios)}")
    summary += where_requests_are(sweeps)
    for run in sweeps:
        load = run.get("load_average")
        summary.append(f"- sweep {name(run)}: finished {run.get('measured_at', '?')}"
                       + (f", load average {load[0]:.1f} (1 min) on {os.cpu_count()} cores" if load else ""))
    text = "\n".join(lines + summary) + "\n"
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    s = commands.add_parser("sweep")
    s.add_argument("--url", required=True, help="HOST:PORT of the HTTP endpoint")
    s.add_argument("--grpc-url", help="HOST:PORT of the gRPC endpoint, for `model@grpc` targets")
    s.add_argument("--model", required=True, help="one target, or several separated by commas (measured in turns): "
                   "a model name (HTTP) or model@grpc")
    s.add_argument("--server", required=True, help="label in the report: switchyard or pytriton")
    s.add_argument("--out", required=True, help="the JSON file; with several models it contains {model}")
    s.add_argument("--concurrency", default=os.environ.get("BENCH_CONCURRENCY", "1,2,4,8,16"))
    s.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", "3")))
    s.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1")),
                   help="multiplies the request count per measurement")
    r = commands.add_parser("report")
    r.add_argument("--sweeps", nargs="+", required=True)
    r.add_argument("--engine", help="`switchyard bench --json` output")
    r.add_argument("--markdown", help="also write the report here")
    args = parser.parse_args()
    sweep(args) if args.command == "sweep" else report(args)


if __name__ == "__main__":
    main()
