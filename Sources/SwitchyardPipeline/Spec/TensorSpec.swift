/// One tensor of a served pipeline's interface (`tensors:` of its `api` source or `response`
/// sink): what clients send or get back over KServe v2, and the item value it comes from or
/// goes to.
public struct TensorSpec: Sendable, Equatable, Codable {
    /// The tensor's name in requests and responses.
    public var name: String
    /// KServe datatype: FP32, INT64, BYTES, …
    public var datatype: String
    /// The tensor's shape, -1 for a variable size (what `GET /v2/models/{m}` reports).
    public var dims: [Int64]
    /// The item value it becomes or comes from (default: `name`).
    public var value: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, datatype, dims, value
    }

    public init(name: String, datatype: String, dims: [Int64], value: String? = nil) {
        self.name = name
        self.datatype = datatype
        self.dims = dims
        self.value = value
    }

    /// The item value's name.
    public var valueName: String { value ?? name }
}
