#!/usr/bin/env python3
"""YOLOv8n's convolutions at batch 1 as `name ic ih iw oc oh ow k stride pad group` lines, for
benchmarks/dnnl/silu_cost.cpp. Run from the repo root: .venv/bin/python benchmarks/dnnl/yolo_conv_geometries.py"""
import onnx
from onnx import shape_inference

model = onnx.load("models/yolov8n-320.onnx")
for index, dim in enumerate(model.graph.input[0].type.tensor_type.shape.dim):
    dim.ClearField("dim_param")
    dim.dim_value = [1, 3, 320, 320][index]
model = shape_inference.infer_shapes(model)
shapes = {info.name: [d.dim_value for d in info.type.tensor_type.shape.dim]
          for info in list(model.graph.value_info) + list(model.graph.input)}
weights = {tensor.name: tensor.dims for tensor in model.graph.initializer}
for node in model.graph.node:
    if node.op_type != "Conv":
        continue
    x, y, w = shapes[node.input[0]], shapes[node.output[0]], weights[node.input[1]]
    attributes = {attribute.name: attribute for attribute in node.attribute}
    stride = attributes["strides"].ints[0] if "strides" in attributes else 1
    pad = attributes["pads"].ints[0] if "pads" in attributes else 0
    group = attributes["group"].i if "group" in attributes else 1
    print(node.name, x[1], x[2], x[3], y[1], y[2], y[3], w[2], stride, pad, group)
