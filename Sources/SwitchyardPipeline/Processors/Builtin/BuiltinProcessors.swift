extension ProcessorRegistry {
    /// Registers every built-in processor: one `register("name") { options in … }` line per
    /// processor of this folder.
    mutating func registerBuiltinProcessors() {
    }
}
