"""Precision variants and shadow evaluation seen through tritonclient: `cls_shadow` serves an FP16
variant of the PP-OCR classifier (`model.fp16.onnx`, written by `switchyard quantize` beside
`model.onnx`) and shadows every request with the full-precision file. The statistics extension
shows both variants' sizes and the shadow counters; /metrics exports them. Skipped when the
repository has no `cls_shadow` (scripts/make-repository.py makes it only with --switchyard).
"""
import time
import urllib.request

import numpy as np
import pytest
import tritonclient.http as httpclient

from conftest import CLS_OUTPUT, METRICS_URL, REPOSITORY, cls_images

MODEL = "cls_shadow"

pytestmark = pytest.mark.skipif(not (REPOSITORY / MODEL).is_dir(), reason=f"no {MODEL} in {REPOSITORY}")


def model_stats(client):
    stats = client.get_inference_statistics(MODEL)["model_stats"]
    assert len(stats) == 1, stats
    return stats[0]


def test_stats_show_the_variants_and_the_shadow_counters(client):
    first = model_stats(client)
    precision = first["precision"]
    assert precision["serving"] == "fp16", precision
    variants = {v["precision"]: v for v in precision["variants"]}
    assert set(variants) == {"fp32", "fp16"}, variants
    folder = REPOSITORY / MODEL / "1"
    for name, variant in variants.items():
        assert variant["file_bytes"] == (folder / variant["file"]).stat().st_size, variant
    assert variants["fp16"]["file_bytes"] < 0.6 * variants["fp32"]["file_bytes"], variants
    before = first["shadow"]
    assert before["reference"] == "fp32" and before["sample_rate"] == 1, before
    assert before["reference_bytes"] > 0 and first["residency"]["bytes"] > before["reference_bytes"], first

    rng = np.random.default_rng(31)
    requests = 4
    for index in range(requests):
        images = cls_images(rng, 2)
        tensor = httpclient.InferInput("x", list(images.shape), "FP32")
        tensor.set_data_from_numpy(images)
        assert client.infer(MODEL, [tensor]).as_numpy(CLS_OUTPUT).shape == (2, 2)
        # One request at a time, compared before the next: the model is idle, nothing is dropped.
        deadline = time.monotonic() + 60
        while model_stats(client)["shadow"]["compared"] < before["compared"] + index + 1:
            assert time.monotonic() < deadline, f"sample {index} not compared after 60 s: {model_stats(client)['shadow']}"
            time.sleep(0.05)

    shadow = model_stats(client)["shadow"]
    assert shadow["sampled"] - before["sampled"] == requests, shadow
    assert shadow["compared"] - before["compared"] == requests, shadow
    assert shadow["dropped_busy"] == before["dropped_busy"] and shadow["failed"] == 0, shadow
    # FP16 weights barely move a two-class softmax: argmax agrees, errors stay small.
    assert shadow["metric"] == "auto" and shadow["compared_units"] >= 2 * requests, shadow
    assert shadow["agreement"] >= 0.75 and 0 <= shadow["max_abs_error"] < 0.05, shadow
    assert 0 <= shadow["mean_abs_error"] <= shadow["max_abs_error"], shadow

    with urllib.request.urlopen(f"http://{METRICS_URL}/metrics", timeout=30) as response:
        text = response.read().decode()
    compared = [line for line in text.splitlines()
                if line.startswith("switchyard_shadow_compared_count{") and f'model="{MODEL}"' in line]
    assert compared and float(compared[0].rsplit(" ", 1)[1]) >= requests, compared
    assert any(line.startswith("switchyard_shadow_agreement_ratio{") and f'model="{MODEL}"' in line
               for line in text.splitlines()), "no switchyard_shadow_agreement_ratio for cls_shadow"
