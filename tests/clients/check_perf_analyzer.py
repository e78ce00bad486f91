"""perf_analyzer 2.51 (scripts/perf_analyzer.sh) against the server: a run with binary and with JSON
input tensors completes, its server-side section (from the statistics extension) is filled in, and
every request succeeded. This checks the protocol, not the speed: stability is loosened (-s 50) and a
run that fails only for want of a stable measurement (a noisy shared machine) is retried."""
import re
import subprocess

import pytest

from conftest import ROOT, URL


UNSTABLE = "Failed to obtain stable measurement"


def perf_analyzer(*arguments, attempts=3):
    command = [str(ROOT / "scripts" / "perf_analyzer.sh"), "-i", "http", "-u", URL, *arguments]
    for _ in range(attempts):
        run = subprocess.run(command, capture_output=True, text=True, timeout=600)
        output = run.stdout + run.stderr
        if run.returncode == 0 or UNSTABLE not in output:
            break
    assert run.returncode == 0, f"{' '.join(command)} exited {run.returncode}:\n{output[-4000:]}"
    return output


@pytest.mark.parametrize("tensor_format", ["binary", "json"])
@pytest.mark.parametrize("batch", [1, 4])
def test_perf_analyzer_run_completes(tensor_format, batch):
    output = perf_analyzer("-m", "cls", "-b", str(batch), "--concurrency-range", "1:2",
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
