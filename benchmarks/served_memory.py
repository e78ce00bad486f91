"""What a served model says it holds against what the process holds, as its instances run larger inputs.

Starts `switchyard serve --threads 2` on a repository of YOLOv8n (its config-less image size is free,
so the load-time plan counts it as 1×1), sends binary tritonclient requests of growing images and
batches, and after each step prints the process's resident memory and `switchyard_model_loaded_bytes`
(scraped from /metrics) as growth over the loaded server.

    .venv-clients/bin/python benchmarks/served_memory.py [SWITCHYARD_BINARY]   (default .build/release/switchyard)

Needs scripts/setup-clients.sh (tritonclient) and models/ (scripts/fetch-models.sh).
"""
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import tritonclient.http as triton

from local_ports import free_ports

ROOT = Path(__file__).resolve().parent.parent
STEPS = [("3 × 1×320²", [(1, 320)] * 3), ("4 more sizes, 256² to 512²", [(1, s) for s in (256, 384, 448, 512)]),
         ("2 × 4×320²", [(4, 320)] * 2)]


def scrape(metrics_port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics").read().decode()
    rss = float(re.search(r"^process_resident_memory_bytes (\S+)", text, re.M).group(1))
    model = float(re.search(r'^switchyard_model_loaded_bytes\{model="yolo"\} (\S+)', text, re.M).group(1))
    return rss, model


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build/release/switchyard")
    with tempfile.TemporaryDirectory() as repository:
        (Path(repository) / "yolo/1").mkdir(parents=True)
        shutil.copy(ROOT / "models/yolov8n-320.onnx", Path(repository) / "yolo/1/model.onnx")
        http, grpc, metrics = free_ports(3)
        server = subprocess.Popen([binary, "serve", "--model-repository", repository, "--http-port", str(http),
                                   "--grpc-port", str(grpc), "--metrics-port", str(metrics), "--threads", "2"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            client = triton.InferenceServerClient(f"127.0.0.1:{http}")
            for _ in range(300):
                try:
                    if client.is_model_ready("yolo"):
                        break
                except Exception:
                    pass
                time.sleep(0.2)
            rss0, model0 = scrape(metrics)
            print(f"loaded: RSS {rss0 / 2**20:.1f} MiB, yolo's loaded bytes {model0 / 2**20:.1f} MiB")
            generator = np.random.default_rng(0)
            for label, requests in STEPS:
                for batch, size in requests:
                    x = generator.random((batch, 3, size, size), dtype=np.float32)
                    tensor = triton.InferInput("images", list(x.shape), "FP32")
                    tensor.set_data_from_numpy(x, binary_data=True)
                    client.infer("yolo", [tensor])
                rss, model = scrape(metrics)
                print(f"after {label}: RSS +{(rss - rss0) / 2**20:.1f} MiB, "
                      f"loaded bytes {model / 2**20:.1f} MiB (+{(model - model0) / 2**20:.1f})")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
