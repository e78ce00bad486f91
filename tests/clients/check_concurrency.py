"""Concurrent tritonclient clients with random batch sizes against the dynamic batcher: each client
gets exactly its own result, compared with unbatched runs — nothing lost, nothing mixed.

`multi` (x -> x+x, x*x, -x) makes any mix-up exact and visible; `cls` (the PP-OCR classifier) checks
the same on a real CNN against batch-1 requests to `cls_nobatch` (same model, no batching), which
are themselves checked against `switchyard infer`.
"""
import threading

import numpy as np
import tritonclient.http as httpclient

from conftest import CLS_OUTPUT, URL, assert_close, cls_images, switchyard_infer

CLIENTS = 8
REQUESTS_PER_CLIENT = 6


def run_clients(model, max_batch, make_input, output_names, seed):
    """CLIENTS threads, each with its own client, sending REQUESTS_PER_CLIENT requests of random batch
    1..max_batch. Returns [(input, {output: array})] for every request, and the errors."""
    results, errors = [], []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client_thread(index):
        rng = np.random.default_rng(seed * 1000 + index)
        try:
            with httpclient.InferenceServerClient(URL, network_timeout=300.0) as client:
                start.wait()
                for request in range(REQUESTS_PER_CLIENT):
                    x = make_input(rng, int(rng.integers(1, max_batch + 1)))
                    tensor = httpclient.InferInput("x", list(x.shape), "FP32")
                    # Alternate binary and JSON bodies so both paths meet in the same batches.
                    binary = (index + request) % 2 == 0
                    tensor.set_data_from_numpy(x, binary_data=binary)
                    outputs = [httpclient.InferRequestedOutput(n, binary_data=binary) for n in output_names]
                    answer = client.infer(model, [tensor], outputs=outputs, request_id=f"{index}-{request}")
                    assert answer.get_response().get("id") == f"{index}-{request}", answer.get_response()
                    with lock:
                        results.append((x, {n: answer.as_numpy(n) for n in output_names}))
        except Exception as error:  # reported with the client index below
            with lock:
                errors.append(f"client {index}: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=client_thread, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_concurrent_clients_multi_exact():
    make = lambda rng, n: rng.standard_normal((n, 4)).astype(np.float32)
    results, errors = run_clients("multi", 8, make, ["doubled", "squared", "negated"], seed=1)
    assert not errors, "\n".join(errors)
    assert len(results) == CLIENTS * REQUESTS_PER_CLIENT
    for x, outputs in results:
        np.testing.assert_array_equal(outputs["doubled"], x + x)
        np.testing.assert_array_equal(outputs["squared"], x * x)
        np.testing.assert_array_equal(outputs["negated"], -x)


def test_concurrent_clients_cls_match_unbatched_runs():
    results, errors = run_clients("cls", 16, cls_images, [CLS_OUTPUT], seed=2)
    assert not errors, "\n".join(errors)
    assert len(results) == CLIENTS * REQUESTS_PER_CLIENT
    images = np.concatenate([x for x, _ in results])
    got = np.concatenate([outputs[CLS_OUTPUT] for _, outputs in results])

    # Unbatched: one image per request to the model without dynamic batching.
    with httpclient.InferenceServerClient(URL, network_timeout=300.0) as client:
        unbatched = []
        for image in images:
            tensor = httpclient.InferInput("x", [1, 3, 48, 192], "FP32")
            tensor.set_data_from_numpy(image[None])
            unbatched.append(client.infer("cls_nobatch", [tensor]).as_numpy(CLS_OUTPUT))
    unbatched = np.concatenate(unbatched)
    # The unbatched answers are the engine's: spot-check them against `switchyard infer`.
    reference = switchyard_infer("cls", {"x": images[:8]})[CLS_OUTPUT]
    assert_close(unbatched[:8], reference, "cls_nobatch batch-1 answers vs switchyard infer")

    # A mixed-up row would carry another image's output: count how many rows would go unnoticed
    # (another image's output within tolerance) so the check is known to have teeth.
    rtol, atol = 1e-4, 1e-5
    for row, (value, expected) in enumerate(zip(got, unbatched)):
        assert np.allclose(value, expected, rtol=rtol, atol=atol), (
            f"item {row} of {len(got)}: batched answer {value}, unbatched {expected}")
    distance = np.abs(unbatched[:, None, 0] - unbatched[None, :, 0])
    np.fill_diagonal(distance, np.inf)
    indistinct = int((distance.min(axis=1) <= atol + rtol).sum())
    assert indistinct <= len(images) // 4, f"{indistinct} of {len(images)} images have a look-alike output: test too weak"
