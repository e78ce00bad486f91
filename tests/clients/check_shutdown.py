#!/usr/bin/env python3
"""Graceful shutdown: with requests queued and in flight, SIGTERM the server; every one of them must
still get its full answer, and afterwards the server stops accepting. scripts/test-clients.sh then
checks the exit status (0).

    check_shutdown.py --pid PID --url HOST:PORT
"""
import argparse
import http.client
import json
import os
import signal
import sys
import threading
import time

import numpy as np

REQUESTS = 8
BATCH = 16


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--url", required=True)
    args = parser.parse_args()
    host, _, port = args.url.rpartition(":")

    x = np.random.default_rng(5).uniform(-1, 1, (BATCH, 3, 48, 192)).astype(np.float32)
    header = json.dumps({"inputs": [{"name": "x", "shape": list(x.shape), "datatype": "FP32",
                                     "parameters": {"binary_data_size": x.nbytes}}],
                         "outputs": [{"name": "save_infer_model/scale_0.tmp_1", "parameters": {"binary_data": True}}]}).encode()
    body = header + x.tobytes()

    sent = threading.Barrier(REQUESTS + 1)
    results = [None] * REQUESTS

    def send(index):
        try:
            connection = http.client.HTTPConnection(host, int(port), timeout=120)
            connection.request("POST", "/v2/models/cls/infer", body=body,
                               headers={"Inference-Header-Content-Length": str(len(header))})
        except Exception as error:
            results[index] = f"send failed: {error!r}"
            sent.wait()
            return
        sent.wait()
        try:
            response = connection.getresponse()
            payload = response.read()
            results[index] = (response.status, len(payload))
        except Exception as error:
            results[index] = f"no answer: {error!r}"

    threads = [threading.Thread(target=send, args=(i,)) for i in range(REQUESTS)]
    for thread in threads:
        thread.start()
    sent.wait()
    time.sleep(0.2)  # let the server read them: queued or running when the signal lands
    signalled = time.monotonic()
    os.kill(args.pid, signal.SIGTERM)
    for thread in threads:
        thread.join()
    answered = time.monotonic() - signalled

    failures = []
    for index, result in enumerate(results):
        if not (isinstance(result, tuple) and result[0] == 200 and result[1] > BATCH * 2 * 4):
            failures.append(f"request {index}: {result}")
    print(f"shutdown: {REQUESTS} requests of batch {BATCH} in flight at SIGTERM, answered within {answered:.2f}s after it")
    # After the in-flight work the server must refuse new work (closed listener or 503).
    time.sleep(0.5)
    try:
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", "/v2/health/ready")
        status = connection.getresponse().status
        if status == 200:
            failures.append("after SIGTERM and the in-flight answers, /v2/health/ready still answers 200")
    except (ConnectionError, OSError, http.client.HTTPException):
        pass
    if failures:
        print("FAIL graceful shutdown:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("PASS graceful shutdown: every in-flight request answered 200")


if __name__ == "__main__":
    main()
