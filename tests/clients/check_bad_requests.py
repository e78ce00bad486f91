"""Bad requests over raw HTTP (tritonclient refuses to build most of them): each gets a 4xx with a
JSON `{"error": "..."}` body, and the server keeps serving (a good request right after succeeds)."""
import http.client
import json
import struct

import numpy as np
import pytest

from conftest import URL

HOST, _, PORT = URL.rpartition(":")


def request(method, path, body=b"", headers=None):
    connection = http.client.HTTPConnection(HOST, int(PORT), timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def binary_body(header, *payloads):
    text = json.dumps(header).encode()
    return text + b"".join(payloads), {"Inference-Header-Content-Length": str(len(text))}


def good_infer():
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    body = json.dumps({"inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP32", "data": x.ravel().tolist()}],
                       "outputs": [{"name": "doubled"}]})
    status, payload, _ = request("POST", "/v2/models/multi/infer", body.encode(), {"Content-Type": "application/json"})
    assert status == 200, f"a good request after a bad one: {status} {payload[:500]!r}"
    answer = json.loads(payload)
    assert answer["outputs"][0]["data"] == (x + x).ravel().tolist(), answer


FLOATS8 = struct.pack("<8f", *range(8))

BAD = {
    # name: (method, path, body, headers, expected status)
    "malformed JSON": ("POST", "/v2/models/multi/infer", b'{"inputs": [', {}, 400),
    "not an object": ("POST", "/v2/models/multi/infer", b"[1, 2, 3]", {}, 400),
    "empty body": ("POST", "/v2/models/multi/infer", b"", {}, 400),
    "NaN token": ("POST", "/v2/models/multi/infer",
                  b'{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[NaN,1,2,3]}]}', {}, 400),
    "wrong datatype": ("POST", "/v2/models/multi/infer",
                       b'{"inputs":[{"name":"x","shape":[1,4],"datatype":"INT32","data":[0,1,2,3]}]}', {}, 400),
    "unknown datatype": ("POST", "/v2/models/multi/infer",
                         b'{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP33","data":[0,1,2,3]}]}', {}, 400),
    "wrong shape": ("POST", "/v2/models/multi/infer",
                    b'{"inputs":[{"name":"x","shape":[1,5],"datatype":"FP32","data":[0,1,2,3,4]}]}', {}, 400),
    "data count does not match shape": ("POST", "/v2/models/multi/infer",
                                        b'{"inputs":[{"name":"x","shape":[2,4],"datatype":"FP32","data":[0,1,2]}]}', {}, 400),
    "string in FP32 data": ("POST", "/v2/models/multi/infer",
                            b'{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":["a",1,2,3]}]}', {}, 400),
    "missing input": ("POST", "/v2/models/multi/infer", b'{"inputs":[]}', {}, 400),
    "unknown input": ("POST", "/v2/models/multi/infer",
                      b'{"inputs":[{"name":"y","shape":[1,4],"datatype":"FP32","data":[0,1,2,3]}]}', {}, 400),
    "batch over max_batch_size": ("POST", "/v2/models/multi/infer",
                                  json.dumps({"inputs": [{"name": "x", "shape": [9, 4], "datatype": "FP32",
                                                          "data": [0.5] * 36}]}).encode(), {}, 400),
    "unknown model": ("POST", "/v2/models/no_such_model/infer",
                      b'{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[0,1,2,3]}]}', {}, 404),
    "unknown version": ("POST", "/v2/models/multi/versions/7/infer",
                        b'{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[0,1,2,3]}]}', {}, 404),
    "metadata of unknown model": ("GET", "/v2/models/no_such_model", b"", {}, 404),
    "gzip header on plain body": ("POST", "/v2/models/multi/infer",
                                  b'{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[0,1,2,3]}]}',
                                  {"Content-Encoding": "gzip"}, 400),
}


def binary_cases():
    header = {"inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP32", "parameters": {"binary_data_size": 32}}]}
    short = {"inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP32", "parameters": {"binary_data_size": 16}}]}
    cases = {}
    body, headers = binary_body(header, FLOATS8[:20])
    cases["binary body truncated"] = ("POST", "/v2/models/multi/infer", body, headers, 400)
    body, headers = binary_body(short, FLOATS8[:16])
    cases["binary_data_size does not match shape"] = ("POST", "/v2/models/multi/infer", body, headers, 400)
    body, _ = binary_body(header, FLOATS8)
    cases["header length past the body"] = ("POST", "/v2/models/multi/infer", body,
                                            {"Inference-Header-Content-Length": str(len(body) + 10)}, 400)
    cases["header length not a number"] = ("POST", "/v2/models/multi/infer", body,
                                           {"Inference-Header-Content-Length": "ten"}, 400)
    return cases


CASES = {**BAD, **binary_cases()}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_request_gets_4xx_with_error_and_server_keeps_serving(case):
    method, path, body, headers, expected = CASES[case]
    status, payload, _ = request(method, path, body, headers)
    assert status == expected, f"{case}: {method} {path} body {body[:120]!r} -> {status} {payload[:300]!r}, expected {expected}"
    try:
        message = json.loads(payload)["error"]
    except (ValueError, KeyError, TypeError):
        pytest.fail(f"{case}: body is not {{\"error\": ...}}: {payload[:300]!r}")
    assert isinstance(message, str) and message.strip(), f"{case}: empty error message"
    good_infer()


def test_lower_case_headers_and_no_content_type():
    header = {"inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP32", "parameters": {"binary_data_size": 32}}],
              "outputs": [{"name": "negated", "parameters": {"binary_data": True}}]}
    body, _ = binary_body(header, FLOATS8)
    length = len(json.dumps(header).encode())
    status, payload, headers = request("POST", "/v2/models/multi/infer", body, {"inference-header-content-length": str(length)})
    assert status == 200, f"{status} {payload[:300]!r}"
    lowered = {k.lower(): v for k, v in headers.items()}
    json_length = int(lowered["inference-header-content-length"])
    answer = json.loads(payload[:json_length])
    (output,) = answer["outputs"]
    assert output["name"] == "negated" and output["parameters"]["binary_data_size"] == 32, answer
    np.testing.assert_array_equal(np.frombuffer(payload[json_length:], "<f4"), -np.arange(8, dtype=np.float32))
