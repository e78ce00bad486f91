import CDNNL
import SwitchyardTensor

extension DNNLMemoryDesc {
    /// oneDNN's element type for a tensor type the oneDNN kernels move: float32, and the
    /// uint8/int8/int32 of the quantized kernels; nil for any other.
    static func dnnlType(of type: DataType) -> dnnl_data_type_t? {
        switch type {
        case .float32: dnnl_f32
        case .uint8: dnnl_u8
        case .int8: dnnl_s8
        case .int32: dnnl_s32
        default: nil
        }
    }

    /// The tensor type of a oneDNN element type (float32 for any this engine never creates).
    static func tensorType(of type: dnnl_data_type_t) -> DataType {
        switch type {
        case dnnl_u8: .uint8
        case dnnl_s8: .int8
        case dnnl_s32: .int32
        default: .float32
        }
    }
}
