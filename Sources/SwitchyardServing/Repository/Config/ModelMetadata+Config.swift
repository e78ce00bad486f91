/// KServe `GET /v2/models/{m}` metadata from a completed config.
extension ModelMetadata {
    /// Datatypes by KServe name (`FP32`, `BYTES`, …); shapes use -1 for variable dims, with the
    /// batch dimension (-1) first when `max_batch_size > 0`. Versions are listed as strings in
    /// ascending order. Tensors whose `data_type` is not a valid type show as "INVALID"; a
    /// validated config has none.
    public init(config: Inference_ModelConfig, versions: [Int64]) {
        let batchPrefix: [Int64] = config.maxBatchSize > 0 ? [-1] : []
        func datatype(_ type: Inference_DataType) -> String { type.tensorDataType?.kserveName ?? "INVALID" }
        self.init(
            name: config.name,
            versions: versions.sorted().map(String.init),
            platform: config.platform,
            inputs: config.input.map { TensorMetadata(name: $0.name, datatype: datatype($0.dataType), shape: batchPrefix + $0.dims) },
            outputs: config.output.map { TensorMetadata(name: $0.name, datatype: datatype($0.dataType), shape: batchPrefix + $0.dims) })
    }
}
