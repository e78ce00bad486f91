"""perf_analyzer 2.51 (scripts/perf_analyzer.sh) against the server: a run with binary and with JSON
input tensors completes, its server-side section (from the statistics extension) is filled in, and
every request succeeded. Inputs come from a data directory of finite values: perf_analyzer's default
random data is random bytes, which as FP32 include NaN, and in JSON mode it then sends bare `NaN`
tokens, which Switchyard rejects with a 400 (checked below). Over gRPC (perf_analyzer's default
protocol) both unary and streaming runs are checked. This checks the protocol, not the speed: stability is loosened (-s 50) and a
run that fails only for want of a stable measurement (a noisy shared machine) is retried."""
import re
import subprocess

import numpy as np
import pytest

from conftest import GRPC_URL, ROOT, URL, WORK


@pytest.fixture(scope="module")
def input_data():
    """perf_analyzer's --input-data directory: one raw batch-1 tensor per input, named after it."""
    folder = WORK / "perf-analyzer-data"
    folder.mkdir(parents=True, exist_ok=True)
    np.random.default_rng(9).uniform(-1, 1, (3, 48, 192)).astype("<f4").tofile(folder / "x")
    return str(folder)


UNSTABLE = "Failed to obtain stable measurement"


def perf_analyzer(*arguments, protocol="http", attempts=3):
    url = GRPC_URL if protocol == "grpc" else URL
    command = [str(ROOT / "scripts" / "perf_analyzer.sh"), "-i", protocol, "-u", url, *arguments]
    for _ in range(attempts):
        run = subprocess.run(command, capture_output=True, text=True, timeout=600)
        output = run.stdout + run.stderr
        if run.returncode == 0 or UNSTABLE not in output:
            break
    assert run.returncode == 0, f"{' '.join(command)} exited {run.returncode}:\n{output[-4000:]}"
    return output


@pytest.mark.parametrize("tensor_format", ["binary", "json"])
@pytest.mark.parametrize("batch", [1, 4])
def test_perf_analyzer_run_completes(tensor_format, batch, input_data):
    output = perf_analyzer("-m", "cls", "-b", str(batch), "--concurrency-range", "1:2", "--input-data", input_data,
                           "--measurement-interval", "2000", "--stability-percentage", "50", "--max-trials", "8",
                           "--input-tensor-format", tensor_format, "--output-tensor-format", tensor_format)
    levels = re.findall(r"Request concurrency: (\d+)", output)
    assert levels == ["1", "2"], f"concurrency levels {levels}:\n{output[-3000:]}"
    throughputs = [float(t) for t in re.findall(r"Throughput: ([\d.]+) infer/sec", output)]
    assert len(throughputs) == 2 and all(t > 0 for t in throughputs), output[-3000:]
    # The server section comes from /v2/models/cls/stats: each level's requests, all successful.
    inference_counts = [int(n) for n in re.findall(r"Inference count: (\d+)", output)]
    successes = [int(n) for n in re.findall(r"Successful request count: (\d+)", output)]
    assert len(inference_counts) == 2 and len(successes) == 2, f"no server-side section:\n{output[-3000:]}"
    assert all(n > 0 for n in successes), f"successful requests per level {successes}:\n{output[-3000:]}"
    assert all(n == s * batch for n, s in zip(inference_counts, successes)), f"inference counts {inference_counts}"


@pytest.mark.parametrize("streaming", [False, True], ids=["unary", "streaming"])
def test_perf_analyzer_over_grpc(streaming, input_data):
    """perf_analyzer's default protocol: ModelInfer per request, or one ModelStreamInfer stream per
    concurrent client with --streaming; the server section comes from ModelStatistics."""
    output = perf_analyzer("-m", "cls", "-b", "2", "--concurrency-range", "1:2", "--input-data", input_data,
                           "--measurement-interval", "2000", "--stability-percentage", "50", "--max-trials", "8",
                           *(["--streaming"] if streaming else []), protocol="grpc")
    assert re.findall(r"Request concurrency: (\d+)", output) == ["1", "2"], output[-3000:]
    throughputs = [float(t) for t in re.findall(r"Throughput: ([\d.]+) infer/sec", output)]
    assert len(throughputs) == 2 and all(t > 0 for t in throughputs), output[-3000:]
    inference_counts = [int(n) for n in re.findall(r"Inference count: (\d+)", output)]
    successes = [int(n) for n in re.findall(r"Successful request count: (\d+)", output)]
    assert len(successes) == 2 and all(n > 0 for n in successes), f"no server-side section:\n{output[-3000:]}"
    assert all(n == s * 2 for n, s in zip(inference_counts, successes)), f"inference counts {inference_counts}"


def test_perf_analyzer_default_random_data_binary():
    """Random bytes as FP32 (NaN, Inf, denormals) are valid binary tensors: the run completes."""
    output = perf_analyzer("-m", "cls", "--concurrency-range", "1", "--measurement-mode", "count_windows",
                           "--measurement-request-count", "20", "--stability-percentage", "1000")
    assert re.search(r"Successful request count: [1-9]", output), output[-3000:]


def test_perf_analyzer_json_nan_tokens_get_a_clear_error():
    command = [str(ROOT / "scripts" / "perf_analyzer.sh"), "-i", "http", "-u", URL, "-m", "cls",
               "--concurrency-range", "1", "--input-tensor-format", "json", "--measurement-mode", "count_windows",
               "--measurement-request-count", "10", "--stability-percentage", "1000"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    output = run.stdout + run.stderr
    assert run.returncode != 0, f"JSON with NaN tokens was accepted:\n{output[-2000:]}"
    assert "nan" in output.lower(), f"perf_analyzer's error does not mention NaN:\n{output[-2000:]}"


def test_perf_analyzer_on_an_ensemble_without_a_version():
    """Without -x, perf_analyzer picks the version whose queue count grew in the statistics of the
    ensemble and of each composing model (its DetermineStatsModelVersion)."""
    output = perf_analyzer("-m", "multi_chain", "--concurrency-range", "1", "--measurement-mode", "count_windows",
                           "--measurement-request-count", "20", "--stability-percentage", "1000")
    assert re.search(r"Successful request count: [1-9]", output), output[-3000:]
    assert "Composing models" in output, f"no composing-model section:\n{output[-3000:]}"
