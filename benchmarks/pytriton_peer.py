#!/usr/bin/env python3
"""The Triton peer of the serving benchmark: a real Triton 2.51 (the `nvidia-pytriton` 0.7.0 wheel)
serving the PP-OCR direction classifier through ONNX Runtime inside Triton's Python backend, under
the same model names, tensor names and limits as the Switchyard repository that
scripts/make-repository.py builds:

  cls          max_batch_size N, dynamic batching (no queue delay, no preferred sizes)
  cls_nobatch  max_batch_size N, no dynamic batching (each request runs on its own)

Run it with scripts/bench-serving.sh (which sets LD_LIBRARY_PATH to the venv Python's LIBDIR:
Triton's Python backend links the system libpython) or by hand:

  LD_LIBRARY_PATH=$(.venv-pytriton/bin/python -c 'import sysconfig;print(sysconfig.get_config_var("LIBDIR"))') \\
    .venv-pytriton/bin/python benchmarks/pytriton_peer.py --model models/ch_ppocr_mobile_v2.0_cls_infer.onnx

It serves until SIGTERM/SIGINT. The statistics endpoint is opened (restricted_endpoints=[]) so
perf_analyzer's server-side section works as it does against Switchyard.
"""
import argparse
import logging
import signal

import numpy as np
import onnxruntime as ort
from pytriton.decorators import batch
from pytriton.model_config import DynamicBatcher, ModelConfig, Tensor
from pytriton.triton import Triton, TritonConfig, TritonSecurityConfig

INPUT = "x"
OUTPUT = "save_infer_model/scale_0.tmp_1"


def make_infer(session):
    """A batched inference callable over one ONNX Runtime session: Triton hands it the merged batch."""

    @batch
    def infer(x):
        (probabilities,) = session.run([OUTPUT], {INPUT: np.ascontiguousarray(x, dtype=np.float32)})
        return {OUTPUT: probabilities}

    return infer


def stop_on_sigterm(*_):
    # pytriton stops Triton (and its backend processes) on KeyboardInterrupt; SIGTERM's default would
    # kill only this process and leave tritonserver running.
    raise KeyboardInterrupt


def main():
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    parser = argparse.ArgumentParser(description="Serve the PP-OCR classifier from a real Triton (pytriton).")
    parser.add_argument("--model", required=True, help="ch_ppocr_mobile_v2.0_cls_infer.onnx")
    parser.add_argument("--http-port", type=int, default=8000)
    parser.add_argument("--grpc-port", type=int, default=8001)
    parser.add_argument("--metrics-port", type=int, default=8002)
    parser.add_argument("--max-batch", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="ONNX Runtime intra-op threads per model")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    def session():
        options = ort.SessionOptions()
        options.intra_op_num_threads = args.threads
        options.inter_op_num_threads = 1
        return ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])

    inputs = [Tensor(name=INPUT, dtype=np.float32, shape=(3, 48, 192))]
    outputs = [Tensor(name=OUTPUT, dtype=np.float32, shape=(2,))]
    config = TritonConfig(
        http_port=args.http_port, grpc_port=args.grpc_port, metrics_port=args.metrics_port,
        allow_gpu_metrics=False, exit_timeout_secs=10,
    )
    with Triton(config=config, security_config=TritonSecurityConfig(restricted_endpoints=[])) as triton:
        triton.bind(
            model_name="cls", infer_func=make_infer(session()), inputs=inputs, outputs=outputs,
            config=ModelConfig(max_batch_size=args.max_batch, batcher=DynamicBatcher(max_queue_delay_microseconds=0)),
        )
        # batcher=None: pytriton writes no dynamic_batching block, so Triton's default scheduler runs
        # each request alone (clients may still send their own batches up to max_batch_size).
        triton.bind(
            model_name="cls_nobatch", infer_func=make_infer(session()), inputs=inputs, outputs=outputs,
            config=ModelConfig(max_batch_size=args.max_batch, batcher=None),
        )
        triton.serve()


if __name__ == "__main__":
    main()
