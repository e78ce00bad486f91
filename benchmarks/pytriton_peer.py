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

With --all-models REPOSITORY it also serves the rest of scripts/make-repository.py's models (rec, det,
yolo through ONNX Runtime, multi in numpy) so tests/clients can be run against a real Triton to see
that the checks encode Triton's behaviour. It serves until SIGTERM/SIGINT. The statistics endpoint is opened (restricted_endpoints=[]) so
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


def make_onnx_infer(session, input_name):
    """A batched callable for any single-input ONNX model; returns every output."""
    names = [o.name for o in session.get_outputs()]

    @batch
    def infer(**inputs):
        values = session.run(names, {input_name: np.ascontiguousarray(inputs[input_name], dtype=np.float32)})
        return dict(zip(names, values))

    return infer


@batch
def multi(x):
    return {"doubled": x + x, "squared": x * x, "negated": -x}


def bind_other_models(triton, repository, session_for):
    """rec, det, yolo, multi as scripts/make-repository.py defines them (names, dims, batch limits)."""
    for name, input_name, dims, outputs, max_batch in (
        ("rec", "x", (3, 48, 320), [("softmax_11.tmp_0", (40, 6625))], 8),
        ("det", "x", (3, 640, 640), [("sigmoid_0.tmp_0", (1, 640, 640))], 4),
        ("yolo", "images", (3, -1, -1), [("output0", (22, -1))], 4),
    ):
        session = session_for(f"{repository}/{name}/1/model.onnx")
        triton.bind(model_name=name, infer_func=make_onnx_infer(session, input_name),
                    inputs=[Tensor(name=input_name, dtype=np.float32, shape=dims)],
                    outputs=[Tensor(name=o, dtype=np.float32, shape=shape) for o, shape in outputs],
                    config=ModelConfig(max_batch_size=max_batch, batcher=DynamicBatcher()))
    triton.bind(model_name="multi", infer_func=multi, inputs=[Tensor(name="x", dtype=np.float32, shape=(4,))],
                outputs=[Tensor(name=n, dtype=np.float32, shape=(4,)) for n in ("doubled", "squared", "negated")],
                config=ModelConfig(max_batch_size=8, batcher=DynamicBatcher(max_queue_delay_microseconds=2000)))


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
    parser.add_argument("--all-models", metavar="REPOSITORY", help="also serve rec, det, yolo, multi (for tests/clients)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    def session(path=args.model):
        options = ort.SessionOptions()
        options.intra_op_num_threads = args.threads
        options.inter_op_num_threads = 1
        return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])

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
        if args.all_models:
            bind_other_models(triton, args.all_models, session)
        triton.serve()


if __name__ == "__main__":
    main()
