"""Triton's real Python client (tritonclient[http]) against a running `switchyard serve`: health,
metadata, config, inference with binary and JSON tensors compared with `switchyard infer` on the same
input, requested-output subsets, gzip request bodies, statistics and Prometheus metrics growing with
traffic. Run by scripts/test-clients.sh (see conftest.py for the environment it sets).
Concurrency, bad requests and perf_analyzer are in check_concurrency.py, check_bad_requests.py and
check_perf_analyzer.py.
"""
import urllib.request

import numpy as np
import pytest
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException, np_to_triton_dtype

from conftest import CLS_OUTPUT, METRICS_URL, assert_close, cls_images, switchyard_infer


def infer(client, model, inputs, binary_in=True, binary_out=True, outputs=None, **kwargs):
    """One tritonclient inference; `outputs` names the requested outputs (None: all)."""
    tensors = []
    for name, array in inputs.items():
        tensor = httpclient.InferInput(name, list(array.shape), np_to_triton_dtype(array.dtype))
        tensor.set_data_from_numpy(array, binary_data=binary_in)
        tensors.append(tensor)
    requested = None if outputs is None else [httpclient.InferRequestedOutput(n, binary_data=binary_out) for n in outputs]
    return client.infer(model, tensors, outputs=requested, **kwargs)


def test_health(client):
    assert client.is_server_live()
    assert client.is_server_ready()
    for model in ("cls", "cls_nobatch", "rec", "det", "yolo", "multi"):
        assert client.is_model_ready(model), f"model {model} is not ready"
        assert client.is_model_ready(model, "1"), f"model {model} version 1 is not ready"
    assert not client.is_model_ready("no_such_model")


def test_server_metadata(client):
    metadata = client.get_server_metadata()
    assert metadata["name"], metadata
    assert metadata["version"], metadata
    # perf_analyzer reads statistics only when the extension is listed; clients rely on binary tensors.
    for extension in ("binary_tensor_data", "statistics", "model_repository"):
        assert extension in metadata["extensions"], f"extension {extension!r} missing: {metadata['extensions']}"


def tensors(metadata, kind):
    """The {name, datatype, shape} of each input or output (extra keys are allowed)."""
    return [{key: tensor.get(key) for key in ("name", "datatype", "shape")} for tensor in metadata[kind]]


def test_model_metadata(client):
    cls = client.get_model_metadata("cls")
    assert cls["name"] == "cls"
    assert "1" in cls["versions"], cls
    assert tensors(cls, "inputs") == [{"name": "x", "datatype": "FP32", "shape": [-1, 3, 48, 192]}], cls["inputs"]
    assert tensors(cls, "outputs") == [{"name": CLS_OUTPUT, "datatype": "FP32", "shape": [-1, 2]}], cls["outputs"]
    assert client.get_model_metadata("cls", "1")["inputs"] == cls["inputs"]

    multi = client.get_model_metadata("multi")
    assert [o["name"] for o in multi["outputs"]] == ["doubled", "squared", "negated"], multi["outputs"]

    # Completed from the ONNX model: batch dim first, free H and W stay -1.
    yolo = client.get_model_metadata("yolo")
    assert tensors(yolo, "inputs") == [{"name": "images", "datatype": "FP32", "shape": [-1, 3, -1, -1]}], yolo["inputs"]
    assert [o["name"] for o in yolo["outputs"]] == ["output0"], yolo["outputs"]
    assert yolo["outputs"][0]["shape"][:2] == [-1, 22], yolo["outputs"]


def test_model_config(client):
    cls = client.get_model_config("cls")
    assert cls["name"] == "cls"
    assert int(cls["max_batch_size"]) == 16, cls
    assert cls["input"][0]["name"] == "x" and cls["input"][0]["data_type"] == "TYPE_FP32", cls["input"]
    assert [int(d) for d in cls["input"][0]["dims"]] == [3, 48, 192], cls["input"]
    assert [int(d) for d in cls["output"][0]["dims"]] == [2], cls["output"]
    assert "dynamic_batching" in cls, f"cls has dynamic_batching in config.pbtxt, /config lacks it: {cls}"
    assert not client.get_model_config("cls_nobatch").get("dynamic_batching"), "cls_nobatch has no dynamic_batching"

    # A model without config.pbtxt is completed as Triton does: batch dim -> max_batch_size 4, batching on.
    yolo = client.get_model_config("yolo")
    assert int(yolo["max_batch_size"]) == 4, yolo
    assert "dynamic_batching" in yolo, yolo
    assert yolo["input"][0]["name"] == "images" and [int(d) for d in yolo["input"][0]["dims"]] == [3, -1, -1], yolo["input"]


# (model, inputs builder, compare JSON too). det's JSON body would be ~15 MB: binary only.
CASES = {
    "cls": (lambda rng: {"x": cls_images(rng, 3)}, True),
    "multi": (lambda rng: {"x": rng.standard_normal((5, 4)).astype(np.float32)}, True),
    "yolo": (lambda rng: {"images": rng.uniform(0, 1, (1, 3, 320, 320)).astype(np.float32)}, True),
    "rec": (lambda rng: {"x": rng.uniform(-1, 1, (2, 3, 48, 320)).astype(np.float32)}, True),
    "det": (lambda rng: {"x": rng.uniform(-1, 1, (1, 3, 640, 640)).astype(np.float32)}, False),
}


@pytest.mark.parametrize("model", list(CASES))
def test_infer_matches_switchyard_infer(client, model):
    build, with_json = CASES[model]
    inputs = build(np.random.default_rng(len(model)))
    expected = switchyard_infer(model, inputs)
    binary = infer(client, model, inputs)
    for name, value in expected.items():
        assert_close(binary.as_numpy(name), value, f"{model} binary tensors, output {name!r}")
    if with_json:
        as_json = infer(client, model, inputs, binary_in=False, binary_out=False, outputs=list(expected))
        for name, value in expected.items():
            assert_close(as_json.as_numpy(name), value, f"{model} JSON tensors, output {name!r}")
        # Mixed: JSON in, binary out.
        mixed = infer(client, model, inputs, binary_in=False, binary_out=True, outputs=list(expected))
        for name, value in expected.items():
            assert_close(mixed.as_numpy(name), value, f"{model} JSON in / binary out, output {name!r}")


def test_request_id_is_echoed(client):
    result = infer(client, "multi", {"x": np.ones((1, 4), np.float32)}, request_id="my-request-42")
    assert result.get_response()["id"] == "my-request-42", result.get_response()


def test_gzip_request_body(client):
    x = np.random.default_rng(7).standard_normal((3, 4)).astype(np.float32)
    for binary in (True, False):
        tensor = httpclient.InferInput("x", [3, 4], "FP32")
        tensor.set_data_from_numpy(x, binary_data=binary)
        result = client.infer("multi", [tensor], request_compression_algorithm="gzip",
                              outputs=[httpclient.InferRequestedOutput("doubled", binary_data=binary)])
        np.testing.assert_array_equal(result.as_numpy("doubled"), x + x)


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "json"])
def test_requested_output_subsets(client, binary):
    x = np.random.default_rng(3).standard_normal((2, 4)).astype(np.float32)
    expected = {"doubled": x + x, "squared": x * x, "negated": -x}
    for subset in (["squared"], ["negated", "doubled"], ["doubled", "squared", "negated"]):
        result = infer(client, "multi", {"x": x}, binary_in=binary, binary_out=binary, outputs=subset)
        returned = [o["name"] for o in result.get_response()["outputs"]]
        assert sorted(returned) == sorted(subset), f"asked for {subset}, got {returned}"
        for name in subset:
            np.testing.assert_array_equal(result.as_numpy(name), expected[name], err_msg=name)
    with pytest.raises(InferenceServerException) as error:
        infer(client, "multi", {"x": x}, outputs=["no_such_output"])
    assert "no_such_output" in str(error.value), str(error.value)


def test_batch_over_max_batch_size_is_rejected(client):
    with pytest.raises(InferenceServerException) as error:
        infer(client, "multi", {"x": np.ones((9, 4), np.float32)})
    assert error.value.status() == "400", f"status {error.value.status()}: {error.value}"


def statistics(client, model):
    (stats,) = client.get_inference_statistics(model)["model_stats"]
    return stats


def test_statistics_grow_with_traffic(client):
    before = statistics(client, "cls")
    x = cls_images(np.random.default_rng(11), 2)
    for _ in range(5):
        infer(client, "cls", {"x": x})
    after = statistics(client, "cls")
    assert after["name"] == "cls"
    for field in ("success", "fail", "queue", "compute_input", "compute_infer", "compute_output"):
        assert field in after["inference_stats"], f"inference_stats.{field} missing: {after['inference_stats']}"
        assert "count" in after["inference_stats"][field] and "ns" in after["inference_stats"][field], field

    def grew(path):
        a, b = after, before
        for key in path:
            a, b = a[key], b[key]
        return int(a) - int(b)

    assert grew(["inference_stats", "success", "count"]) == 5
    assert grew(["inference_stats", "queue", "count"]) == 5
    assert grew(["inference_count"]) == 10
    executions = grew(["execution_count"])
    assert 1 <= executions <= 5, f"execution_count grew by {executions} for 5 sequential requests"
    # perf_analyzer divides by these counts: they must move together.
    for field in ("compute_input", "compute_infer", "compute_output"):
        assert grew(["inference_stats", field, "count"]) == grew(["inference_stats", "compute_infer", "count"]), field
    assert grew(["inference_stats", "compute_infer", "ns"]) > 0


def prometheus_samples():
    with urllib.request.urlopen(f"http://{METRICS_URL}/metrics", timeout=30) as response:
        assert response.status == 200
        text = response.read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            samples[key] = float(value)
    return text, samples


def test_metrics_grow_with_traffic(client):
    _, before = prometheus_samples()
    x = np.ones((3, 4), np.float32)
    for _ in range(4):
        infer(client, "multi", {"x": x})
    text, after = prometheus_samples()
    names = {key.split("{")[0] for key in after}
    for name in ("switchyard_inference_request_success", "switchyard_inference_count",
                 "switchyard_inference_exec_count", "switchyard_inference_queue_duration_us",
                 "switchyard_inference_compute_infer_duration_us", "switchyard_batch_size"):
        assert any(n == name or n.startswith(name + "_") for n in names), f"{name} missing from /metrics:\n{text[:3000]}"
    success = [k for k in after if k.startswith("switchyard_inference_request_success") and 'model="multi"' in k]
    assert success, f"no switchyard_inference_request_success sample for model=\"multi\":\n{text[:3000]}"
    assert sum(after[k] - before.get(k, 0) for k in success) == 4, {k: (before.get(k), after[k]) for k in success}
    items = [k for k in after if k.startswith("switchyard_inference_count") and 'model="multi"' in k]
    assert sum(after[k] - before.get(k, 0) for k in items) == 12, {k: (before.get(k), after[k]) for k in items}


def test_repository_index_lists_every_model(client):
    index = client.get_model_repository_index()
    states = {(entry["name"], entry.get("version")): entry.get("state") for entry in index}
    names = {entry["name"] for entry in index}
    assert {"cls", "cls_nobatch", "rec", "det", "yolo", "multi"} <= names, index
    for entry in index:
        if entry["name"] in ("cls", "multi"):
            assert entry.get("state") == "READY", f"{entry} (all: {states})"


def test_statistics_routes(client):
    everything = client.get_inference_statistics()["model_stats"]
    assert {"cls", "multi"} <= {s["name"] for s in everything}, [s["name"] for s in everything]
    (versioned,) = client.get_inference_statistics("cls", "1")["model_stats"]
    assert versioned["name"] == "cls" and versioned["version"] == "1", versioned
    with pytest.raises(InferenceServerException) as error:
        client.get_inference_statistics("no_such_model")
    assert error.value.status() in ("400", "404"), f"status {error.value.status()}: {error.value}"


def test_statistics_show_the_load_time_batch_profile(client):
    """cls batches without preferred sizes: the batcher profiled it at load and says what it chose."""
    (stats,) = client.get_inference_statistics("cls", "1")["model_stats"]
    profile = stats["batch_profile"]
    assert profile["choice"] == "measured", profile
    sizes = [m["batch_size"] for m in profile["measurements"]]
    assert sizes[0] == 1 and sizes == sorted(sizes), profile
    assert all(m["ms_per_batch"] > 0 and m["items_per_second"] > 0 for m in profile["measurements"]), profile
    assert 1 <= profile["chosen_batch_size"] <= 16, profile
    assert stats["residency"]["load_count"] == 1 and stats["residency"]["bytes"] > 0, stats["residency"]
