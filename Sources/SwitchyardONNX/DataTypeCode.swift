import SwitchyardTensor

/// Maps ONNX `TensorProto.DataType` codes onto `DataType`, with messages that name the ONNX type
/// when the code is valid but unsupported here (float8, int4, complex…).
enum DataTypeCode {
    /// The `DataType` for `code`, or an error naming what is wrong with it. `what` says whose
    /// type it is ("tensor 'w'", "input 'x'").
    static func dataType(_ code: Int32, of what: String) throws(ONNXError) -> DataType {
        if let dataType = DataType(rawValue: code) { return dataType }
        if code == 0 {
            throw .invalidModel("\(what) has no data type (UNDEFINED)")
        }
        if let known = Onnx_TensorProto.DataType(rawValue: Int(code)) {
            throw .unsupported("\(what) has data type \(name(of: known)) (\(code)), which Switchyard does not support")
        }
        throw .invalidModel("\(what) has unknown data type code \(code); valid codes are 1 to 28 (TensorProto.DataType)")
    }

    /// The ONNX name (`FLOAT8E4M3FN`) of a data type code.
    static func name(of type: Onnx_TensorProto.DataType) -> String {
        String(describing: type).uppercased()
    }
}
