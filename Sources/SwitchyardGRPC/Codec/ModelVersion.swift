import SwitchyardServing

/// gRPC messages carry a model version as a string: "" means the latest.
enum ModelVersion {
    static func parse(_ text: String, model: String) throws(ServingError) -> Int64? {
        if text.isEmpty { return nil }
        guard let version = Int64(text), version > 0 else {
            throw .invalidArgument("model '\(model)': version '\(text)' is not a positive integer (or empty for the latest)")
        }
        return version
    }
}
