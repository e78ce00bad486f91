/// A value of a processor stage's free-form `options:` mapping, as written in the YAML.
public enum OptionValue: Sendable, Equatable, Codable {
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([OptionValue])
    case map([String: OptionValue])

    public init(from decoder: any Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            var values: [OptionValue] = []
            while !list.isAtEnd { values.append(try list.decode(OptionValue.self)) }
            self = .list(values)
            return
        }
        if let map = try? decoder.container(keyedBy: AnyKey.self) {
            var values: [String: OptionValue] = [:]
            for key in map.allKeys { values[key.stringValue] = try map.decode(OptionValue.self, forKey: key) }
            self = .map(values)
            return
        }
        let scalar = try decoder.singleValueContainer()
        if let value = try? scalar.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? scalar.decode(Int.self) {
            self = .int(value)
        } else if let value = try? scalar.decode(Double.self) {
            self = .double(value)
        } else {
            self = .string(try scalar.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .bool(let value): var c = encoder.singleValueContainer(); try c.encode(value)
        case .int(let value): var c = encoder.singleValueContainer(); try c.encode(value)
        case .double(let value): var c = encoder.singleValueContainer(); try c.encode(value)
        case .string(let value): var c = encoder.singleValueContainer(); try c.encode(value)
        case .list(let values): var c = encoder.unkeyedContainer(); for value in values { try c.encode(value) }
        case .map(let values):
            var c = encoder.container(keyedBy: AnyKey.self)
            for (key, value) in values { try c.encode(value, forKey: AnyKey(key)) }
        }
    }

    /// How the value reads in a message: `0.5`, `"abc"`, `a list`.
    var summary: String {
        switch self {
        case .bool(let value): "\(value)"
        case .int(let value): "\(value)"
        case .double(let value): "\(value)"
        case .string(let value): "\"\(value)\""
        case .list: "a list"
        case .map: "a mapping"
        }
    }
}

/// A coding key for mappings whose keys are data (`options:`, value-to-tensor maps).
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(_ string: String) {
        stringValue = string
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        stringValue = "\(intValue)"
        self.intValue = intValue
    }
}
