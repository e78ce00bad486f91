"""A Triton ensemble served by Switchyard as a pipeline (`multi_chain` in scripts/make-repository.py:
two `multi` steps, INPUT -> doubled -> squared/negated), through tritonclient: metadata and config as
Triton reports an ensemble, inference (binary and JSON) equal to the member model called twice in a
row, concurrent requests of random batch sizes each getting their own answer, statistics, and the
pipeline's per-stage metrics on the Prometheus endpoint. Run by scripts/test-clients.sh.
"""
import threading
import urllib.request

import numpy as np
import pytest
import tritonclient.http as httpclient

from conftest import METRICS_URL, URL, assert_close

ENSEMBLE = "multi_chain"


def infer(client, model, inputs, binary=True, outputs=None):
    tensors = []
    for name, array in inputs.items():
        tensor = httpclient.InferInput(name, list(array.shape), "FP32")
        tensor.set_data_from_numpy(array, binary_data=binary)
        tensors.append(tensor)
    requested = None if outputs is None else [httpclient.InferRequestedOutput(n, binary_data=binary) for n in outputs]
    return client.infer(model, tensors, outputs=requested)


def members_in_sequence(client, x):
    """What the ensemble computes, by calling its member model one step after the other."""
    doubled = infer(client, "multi", {"x": x}, outputs=["doubled"]).as_numpy("doubled")
    second = infer(client, "multi", {"x": doubled}, outputs=["squared", "negated"])
    return {"SQUARED": second.as_numpy("squared"), "NEGATED": second.as_numpy("negated")}


def test_ensemble_is_described_as_triton_describes_one(client):
    assert client.is_model_ready(ENSEMBLE) and client.is_model_ready(ENSEMBLE, "1")
    metadata = client.get_model_metadata(ENSEMBLE)
    assert metadata["platform"] == "ensemble" and metadata["versions"] == ["1"], metadata
    assert [(t["name"], t["datatype"], t["shape"]) for t in metadata["inputs"]] == [("INPUT", "FP32", [-1, 4])], metadata
    assert [t["name"] for t in metadata["outputs"]] == ["SQUARED", "NEGATED"], metadata
    config = client.get_model_config(ENSEMBLE)
    assert config["platform"] == "ensemble" and int(config["max_batch_size"]) == 8, config
    steps = config["ensemble_scheduling"]["step"]
    assert [s["model_name"] for s in steps] == ["multi", "multi"], steps
    assert steps[0]["input_map"] == {"x": "INPUT"} and steps[0]["output_map"] == {"doubled": "DOUBLED"}, steps
    index = {entry["name"]: entry for entry in client.get_model_repository_index()}
    assert index[ENSEMBLE].get("state") == "READY", index.get(ENSEMBLE)


@pytest.mark.parametrize("binary", [True, False])
def test_ensemble_equals_its_members_called_one_after_the_other(client, binary):
    rng = np.random.default_rng(41 if binary else 42)
    x = rng.uniform(-3, 3, (5, 4)).astype(np.float32)
    result = infer(client, ENSEMBLE, {"INPUT": x}, binary=binary, outputs=["SQUARED", "NEGATED"])
    expected = members_in_sequence(client, x)
    for name in ("SQUARED", "NEGATED"):
        assert_close(result.as_numpy(name), expected[name], f"{ENSEMBLE} {name}", rtol=0, atol=0)
    assert_close(result.as_numpy("SQUARED"), (2 * x) ** 2, "SQUARED vs numpy", rtol=1e-6, atol=0)
    only = infer(client, ENSEMBLE, {"INPUT": x}, binary=binary, outputs=["NEGATED"])
    assert only.as_numpy("SQUARED") is None and np.array_equal(only.as_numpy("NEGATED"), expected["NEGATED"])


def test_concurrent_ensemble_requests_each_get_their_own_answer():
    failures = []

    def worker(seed):
        rng = np.random.default_rng(seed)
        with httpclient.InferenceServerClient(URL, network_timeout=120.0) as client:
            for _ in range(6):
                x = rng.uniform(-3, 3, (int(rng.integers(1, 9)), 4)).astype(np.float32)
                result = infer(client, ENSEMBLE, {"INPUT": x})
                if not (np.array_equal(result.as_numpy("SQUARED"), (x + x) * (x + x))
                        and np.array_equal(result.as_numpy("NEGATED"), -(x + x))):
                    failures.append((seed, x.shape))

    threads = [threading.Thread(target=worker, args=(100 + i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, f"requests answered with another request's numbers: {failures}"


def test_ensemble_statistics_and_pipeline_metrics_grow(client):
    def stats():
        (entry,) = client.get_inference_statistics(ENSEMBLE)["model_stats"]
        return int(entry["inference_stats"]["success"]["count"])

    def items():
        with urllib.request.urlopen(f"http://{METRICS_URL}/metrics", timeout=30) as response:
            text = response.read().decode()
        rows = [line for line in text.splitlines()
                if line.startswith("switchyard_pipeline_items_total") and f'pipeline="{ENSEMBLE}"' in line]
        return {line.rpartition(" ")[0]: float(line.rpartition(" ")[2]) for line in rows}

    before_stats, before_items = stats(), items()
    for _ in range(3):
        infer(client, ENSEMBLE, {"INPUT": np.ones((2, 4), np.float32)})
    assert stats() - before_stats == 3
    after_items = items()
    stages = {key.split('stage="')[1].split('"')[0] for key in after_items}
    assert {"request", "response"} <= stages and len(stages) == 4, after_items
    for key, value in after_items.items():
        assert value - before_items.get(key, 0) == 3, (key, before_items.get(key), value)
