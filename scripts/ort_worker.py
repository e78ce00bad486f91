#!/usr/bin/env python3
"""ONNX Runtime side of `switchyard bench --compare-onnxruntime`.

One long-lived process: reads one JSON request per line on stdin, answers one JSON line on
stdout. Requests:
  {"command": "load", "model": PATH, "threads": N}   -> {"ok": true}
  {"command": "inputs", "inputs": {NAME: NPY_PATH}}  -> {"ok": true}
  {"command": "run"}                                 -> {"ok": true, "seconds": S}
  {"command": "outputs", "directory": DIR}           -> {"ok": true, "outputs": {NAME: NPY_PATH}}
  {"command": "quit"}
Errors answer {"ok": false, "error": MESSAGE}. `run` times session.run alone with
time.perf_counter, so the Swift side compares like with like.
"""
import json
import os
import sys
import time


def main() -> None:
    channel = sys.stdout
    # Anything else printed (library warnings) must not corrupt the protocol.
    sys.stdout = sys.stderr
    try:
        import numpy as np
        import onnxruntime as ort
    except ImportError as error:
        channel.write(json.dumps({"ok": False, "error": f"cannot import numpy and onnxruntime: {error}"}) + "\n")
        channel.flush()
        return
    channel.write(json.dumps({"ok": True, "onnxruntime": ort.__version__}) + "\n")
    channel.flush()

    session = None
    feeds = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        command = request.get("command")
        try:
            if command == "quit":
                break
            if command == "load":
                options = ort.SessionOptions()
                options.intra_op_num_threads = int(request["threads"])
                options.inter_op_num_threads = 1
                options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
                session = ort.InferenceSession(request["model"], options, providers=["CPUExecutionProvider"])
                reply = {"ok": True}
            elif command == "inputs":
                feeds = {name: np.load(path) for name, path in request["inputs"].items()}
                reply = {"ok": True}
            elif command == "run":
                if session is None:
                    raise RuntimeError("no model loaded")
                start = time.perf_counter()
                session.run(None, feeds)
                reply = {"ok": True, "seconds": time.perf_counter() - start}
            elif command == "outputs":
                if session is None:
                    raise RuntimeError("no model loaded")
                results = session.run(None, feeds)
                directory = request["directory"]
                paths = {}
                for index, (info, value) in enumerate(zip(session.get_outputs(), results)):
                    path = os.path.join(directory, f"ort_output_{index}.npy")
                    np.save(path, np.asarray(value))
                    paths[info.name] = path
                reply = {"ok": True, "outputs": paths}
            else:
                reply = {"ok": False, "error": f"unknown command {command!r}"}
        except Exception as error:  # reported to the Swift side, which stops the benchmark
            reply = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        channel.write(json.dumps(reply) + "\n")
        channel.flush()


if __name__ == "__main__":
    main()
