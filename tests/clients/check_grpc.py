"""Triton's real gRPC client (tritonclient[grpc]) against a running `switchyard serve`: health,
metadata and config equal to what HTTP reports, inference equal to `switchyard infer` on the same
input, requested-output subsets, the request id, statistics growing with traffic, the repository
index, bad requests answered with the status Triton uses while the server goes on, and a
ModelStreamInfer stream with many requests in flight. perf_analyzer over gRPC is in
check_perf_analyzer.py.
"""
import queue

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException, np_to_triton_dtype

from conftest import CLS_OUTPUT, GRPC_URL, URL, assert_close, cls_images, switchyard_infer


@pytest.fixture
def grpc():
    with grpcclient.InferenceServerClient(GRPC_URL) as c:
        yield c


def inputs_of(arrays):
    tensors = []
    for name, array in arrays.items():
        tensor = grpcclient.InferInput(name, list(array.shape), np_to_triton_dtype(array.dtype))
        tensor.set_data_from_numpy(array)
        tensors.append(tensor)
    return tensors


def infer(grpc, model, arrays, outputs=None, **kwargs):
    requested = None if outputs is None else [grpcclient.InferRequestedOutput(name) for name in outputs]
    return grpc.infer(model, inputs_of(arrays), outputs=requested, client_timeout=120, **kwargs)


def test_health(grpc):
    assert grpc.is_server_live()
    assert grpc.is_server_ready()
    for model in ("cls", "multi", "yolo"):
        assert grpc.is_model_ready(model), model
        assert grpc.is_model_ready(model, "1"), model
    assert not grpc.is_model_ready("no_such_model")


def test_metadata_and_config_match_http(grpc):
    with httpclient.InferenceServerClient(URL) as http:
        server = grpc.get_server_metadata(as_json=True)
        assert server["name"] == http.get_server_metadata()["name"], server
        assert "statistics" in server["extensions"], server
        for model in ("cls", "multi", "yolo"):
            over_grpc = grpc.get_model_metadata(model, as_json=True)
            over_http = http.get_model_metadata(model)
            for kind in ("inputs", "outputs"):
                # JSON of an int64 is a string: compare the shapes as numbers.
                assert [(t["name"], t["datatype"], [int(d) for d in t["shape"]]) for t in over_grpc[kind]] == \
                    [(t["name"], t["datatype"], t["shape"]) for t in over_http[kind]], f"{model} {kind}"
            config = grpc.get_model_config(model, as_json=True)["config"]
            expected = http.get_model_config(model)
            assert config["name"] == model
            assert int(config.get("max_batch_size", 0)) == int(expected.get("max_batch_size", 0)), config
            assert [i["name"] for i in config["input"]] == [i["name"] for i in expected["input"]], config
            assert ("dynamic_batching" in config) == ("dynamic_batching" in expected), config


@pytest.mark.parametrize("model", ["cls", "multi", "yolo", "rec"])
def test_infer_matches_switchyard_infer(grpc, model):
    rng = np.random.default_rng(100 + len(model))
    arrays = {
        "cls": lambda: {"x": cls_images(rng, 3)},
        "multi": lambda: {"x": rng.standard_normal((5, 4)).astype(np.float32)},
        "yolo": lambda: {"images": rng.uniform(0, 1, (1, 3, 320, 320)).astype(np.float32)},
        "rec": lambda: {"x": rng.uniform(-1, 1, (2, 3, 48, 320)).astype(np.float32)},
    }[model]()
    expected = switchyard_infer(model, arrays)
    result = infer(grpc, model, arrays)
    for name, value in expected.items():
        assert_close(result.as_numpy(name), value, f"{model} over gRPC, output {name!r}")


def test_requested_outputs_and_request_id(grpc):
    x = np.random.default_rng(5).standard_normal((3, 4)).astype(np.float32)
    result = infer(grpc, "multi", {"x": x}, outputs=["negated", "squared"], request_id="grpc-7")
    response = result.get_response(as_json=True)
    assert response["id"] == "grpc-7", response
    assert sorted(o["name"] for o in response["outputs"]) == ["negated", "squared"], response["outputs"]
    np.testing.assert_array_equal(result.as_numpy("negated"), -x)
    np.testing.assert_array_equal(result.as_numpy("squared"), x * x)


def test_statistics_grow_with_traffic(grpc):
    def counts():
        (stats,) = grpc.get_inference_statistics("cls", as_json=True)["model_stats"]
        success = stats["inference_stats"].get("success", {})
        return int(stats.get("inference_count", 0)), int(success.get("count", 0))

    inferences, successes = counts()
    x = cls_images(np.random.default_rng(8), 2)
    for _ in range(4):
        infer(grpc, "cls", {"x": x})
    after_inferences, after_successes = counts()
    # Other checks may run on cls at the same time on a shared server: at least our traffic.
    assert after_successes - successes >= 4, (successes, after_successes)
    assert after_inferences - inferences >= 8, (inferences, after_inferences)


def test_repository_index_lists_every_model(grpc):
    with httpclient.InferenceServerClient(URL) as http:
        expected = sorted(entry["name"] for entry in http.get_model_repository_index())
    index = grpc.get_model_repository_index(as_json=True)
    assert sorted(entry["name"] for entry in index["models"]) == expected, index


BAD_REQUESTS = [
    ("unknown model", "no_such_model", {"x": np.ones((1, 4), np.float32)}, "NOT_FOUND"),
    ("wrong datatype", "multi", {"x": np.ones((1, 4), np.int32)}, "INVALID_ARGUMENT"),
    ("wrong shape", "multi", {"x": np.ones((2, 5), np.float32)}, "INVALID_ARGUMENT"),
    ("unknown input", "multi", {"y": np.ones((1, 4), np.float32)}, "INVALID_ARGUMENT"),
    ("batch over max_batch_size", "multi", {"x": np.ones((9, 4), np.float32)}, "INVALID_ARGUMENT"),
]


@pytest.mark.parametrize("label,model,arrays,status", BAD_REQUESTS, ids=[case[0] for case in BAD_REQUESTS])
def test_bad_request_gets_its_status_and_the_server_goes_on(grpc, label, model, arrays, status):
    with pytest.raises(InferenceServerException) as error:
        infer(grpc, model, arrays)
    assert error.value.status() == f"StatusCode.{status}", f"{label}: {error.value.status()} {error.value}"
    assert error.value.message(), f"{label}: no message"
    x = np.random.default_rng(1).standard_normal((1, 4)).astype(np.float32)
    np.testing.assert_array_equal(infer(grpc, "multi", {"x": x}).as_numpy("doubled"), x + x)


def test_message_over_the_size_limit_is_refused(grpc):
    """The server's --max-request-bytes (64 MiB by default) bounds a gRPC message as well. grpc-swift
    answers RESOURCE_EXHAUSTED and resets the stream the client is still sending on; Python's gRPC
    then reports the reset (CANCELLED) rather than the status. Either way nothing is decoded and
    the server goes on."""
    big = np.zeros((1, 17 << 20), np.float32)  # 68 MiB
    with pytest.raises(InferenceServerException) as error:
        infer(grpc, "multi", {"x": big})
    assert error.value.status() in ("StatusCode.RESOURCE_EXHAUSTED", "StatusCode.CANCELLED"), \
        f"{error.value.status()} {error.value}"
    x = np.ones((1, 4), np.float32)
    np.testing.assert_array_equal(infer(grpc, "multi", {"x": x}).as_numpy("doubled"), x + x)


def test_stream_answers_every_request_with_its_own_result(grpc):
    """Sixteen requests of random batch sizes in flight on one stream, one of them bad: each answer
    carries its request's id and its own result; the bad one an error, and the stream goes on."""
    rng = np.random.default_rng(21)
    answers = queue.Queue()
    grpc.start_stream(callback=lambda result, error: answers.put((result, error)), stream_timeout=120)
    sent = {}
    try:
        for index in range(16):
            x = rng.standard_normal((int(rng.integers(1, 5)), 4)).astype(np.float32)
            if index == 6:
                x = x[:, :3]  # wrong shape
            sent[f"s{index}"] = x
            grpc.async_stream_infer("multi", inputs_of({"x": x}), request_id=f"s{index}")
        received = [answers.get(timeout=120) for _ in sent]
    finally:
        grpc.stop_stream()
    errors = [error for _, error in received if error is not None]
    assert len(errors) == 1 and "multi" in str(errors[0]), errors
    results = {result.get_response().id: result for result, error in received if error is None}
    assert sorted(results) == sorted(key for key in sent if key != "s6"), sorted(results)
    for key, result in results.items():
        np.testing.assert_array_equal(result.as_numpy("doubled"), sent[key] + sent[key], err_msg=key)


def test_cls_over_grpc_equals_cls_over_http(grpc):
    x = cls_images(np.random.default_rng(31), 4)
    with httpclient.InferenceServerClient(URL) as http:
        tensor = httpclient.InferInput("x", list(x.shape), "FP32")
        tensor.set_data_from_numpy(x)
        over_http = http.infer("cls", [tensor]).as_numpy(CLS_OUTPUT)
    assert_close(infer(grpc, "cls", {"x": x}).as_numpy(CLS_OUTPUT), over_http, "cls gRPC vs HTTP")
