"""Shared setup of the client checks: where the server is, the switchyard binary that computes the
reference outputs (`switchyard infer`), and seeded inputs. scripts/test-clients.sh sets the variables:

  SWITCHYARD_URL          host:port of the HTTP frontend (e.g. 127.0.0.1:8000)
  SWITCHYARD_GRPC_URL     host:port of the gRPC frontend (e.g. 127.0.0.1:8001)
  SWITCHYARD_METRICS_URL  host:port of the Prometheus endpoint
  SWITCHYARD_BIN          the switchyard executable
  SWITCHYARD_REPOSITORY   the model repository the server serves (scripts/make-repository.py)
  SWITCHYARD_WORK         a scratch folder
"""
import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
import tritonclient.http as httpclient

URL = os.environ.get("SWITCHYARD_URL", "127.0.0.1:8000")
GRPC_URL = os.environ.get("SWITCHYARD_GRPC_URL", "127.0.0.1:8001")
METRICS_URL = os.environ.get("SWITCHYARD_METRICS_URL", "127.0.0.1:8002")
BIN = os.environ.get("SWITCHYARD_BIN", "")
REPOSITORY = Path(os.environ.get("SWITCHYARD_REPOSITORY", ".cache/repository"))
WORK = Path(os.environ.get("SWITCHYARD_WORK") or tempfile.mkdtemp(prefix="switchyard-clients-"))
ROOT = Path(__file__).resolve().parents[2]

CLS_OUTPUT = "save_infer_model/scale_0.tmp_1"


@pytest.fixture
def client():
    with httpclient.InferenceServerClient(URL, network_timeout=120.0, connection_timeout=30.0) as c:
        yield c


def cls_images(rng, count):
    """Classifier inputs that give well-separated outputs: uniform noise at a per-image scale."""
    scale = rng.uniform(0.05, 1.0, (count, 1, 1, 1))
    return (rng.uniform(-1.0, 1.0, (count, 3, 48, 192)) * scale).astype(np.float32)


def model_file(model):
    return REPOSITORY / model / "1" / "model.onnx"


def switchyard_infer(model, inputs):
    """The reference: `switchyard infer` on the same inputs (one engine run, no server)."""
    if not BIN:
        pytest.fail("SWITCHYARD_BIN is not set: it names the switchyard binary that computes reference outputs")
    folder = Path(tempfile.mkdtemp(prefix=f"ref-{model}-", dir=WORK))
    command = [BIN, "infer", str(model_file(model)), "--output-dir", str(folder / "out")]
    for index, (name, array) in enumerate(inputs.items()):
        path = folder / f"input{index}.npy"
        np.save(path, array)
        command += ["--input", f"{name}={path}"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"{' '.join(command)} failed ({run.returncode}):\n{run.stderr}"
    outputs = {}
    for line in run.stdout.splitlines():
        # "<name>: FP32 [1, 2] -> <path>" (InferCommand)
        left, _, path = line.rpartition(" -> ")
        name = left.rpartition(": ")[0]
        if name and path:
            outputs[name] = np.load(path)
    assert outputs, f"switchyard infer printed no outputs:\n{run.stdout}"
    return outputs


def assert_close(got, expected, what, rtol=1e-4, atol=1e-5):
    """Tight agreement; the message gives the worst element so a failure is actionable."""
    assert got is not None, f"{what}: output missing from the response"
    assert got.shape == expected.shape, f"{what}: shape {list(got.shape)}, expected {list(expected.shape)}"
    assert got.dtype == expected.dtype, f"{what}: dtype {got.dtype}, expected {expected.dtype}"
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        error = np.abs(got.astype(np.float64) - expected.astype(np.float64))
        worst = np.unravel_index(np.argmax(error), error.shape)
        pytest.fail(f"{what}: max abs error {error.max():.3g} at {list(worst)} (got {got[worst]}, expected "
                    f"{expected[worst]}; rtol {rtol}, atol {atol})")
