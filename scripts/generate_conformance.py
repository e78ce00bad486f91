#!/usr/bin/env python3
"""Writes ONNX's node conformance cases into OUT_DIR/<case>/ (model.onnx and
test_data_set_*/{input,output}_*.pb), from the generators that the `onnx` wheel ships, in the
layout of ONNX's own backend test data. `switchyard conformance OUT_DIR` runs them.

Usage: generate_conformance.py OUT_DIR
"""
import os
import sys
import warnings

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper
from onnx.backend.test.case.node import collect_testcases


def serialize(value, value_type, name):
    """Mirrors onnx.backend.test.cmd_tools: one protobuf per input or output."""
    if value_type.HasField("map_type"):
        return numpy_helper.from_dict(value, name)
    if value_type.HasField("sequence_type"):
        return numpy_helper.from_list(value, name)
    if value_type.HasField("optional_type"):
        return numpy_helper.from_optional(value, name)
    if isinstance(value, TensorProto):
        return value
    return numpy_helper.from_array(value, name)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    warnings.simplefilter("ignore")
    np.seterr(all="ignore")
    cases = collect_testcases()
    for case in cases:
        case_dir = os.path.join(out_dir, case.name)
        os.makedirs(case_dir, exist_ok=True)
        with open(os.path.join(case_dir, "model.onnx"), "wb") as f:
            f.write(case.model.SerializeToString())
        graph = case.model.graph
        for index, (inputs, outputs) in enumerate(case.data_sets):
            data_dir = os.path.join(case_dir, f"test_data_set_{index}")
            os.makedirs(data_dir, exist_ok=True)
            for kind, values, declared in (("input", inputs, graph.input), ("output", outputs, graph.output)):
                for i, value in enumerate(values):
                    proto = serialize(value, declared[i].type, declared[i].name)
                    with open(os.path.join(data_dir, f"{kind}_{i}.pb"), "wb") as f:
                        f.write(proto.SerializeToString())
    print(f"wrote {len(cases)} conformance cases to {out_dir} (onnx {onnx.__version__})")


if __name__ == "__main__":
    main()
