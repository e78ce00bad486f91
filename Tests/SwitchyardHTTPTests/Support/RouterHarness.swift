import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchyardHTTP
import SwitchyardServing
import SwitchyardTensor
import Testing

/// Drives `KServeHTTP.router` in process (no sockets) over a `TestInferenceService`.
enum RouterHarness {
    static func run<Value>(
        service: any InferenceService, maxBodyBytes: Int = 64 << 20,
        _ test: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        let router = KServeHTTP.router(service: service, configuration: .init(maxBodyBytes: maxBodyBytes))
        let app = Application(router: router)
        return try await app.test(.router, test)
    }

    static func run<Value>(maxBodyBytes: Int = 64 << 20, _ test: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await run(service: try TestInferenceService.standard(), maxBodyBytes: maxBodyBytes, test)
    }
}

extension TestClientProtocol {
    func post(_ uri: String, json: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    func post(_ uri: String, bytes: [UInt8], headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: bytes))
    }

    func get(_ uri: String) async throws -> TestResponse {
        try await execute(uri: uri, method: .get)
    }
}

extension TestResponse {
    /// The body parsed with Foundation (an independent JSON reader); nil when not JSON.
    var json: Any? {
        try? JSONSerialization.jsonObject(with: Data(body.readableBytesView), options: [.fragmentsAllowed])
    }

    var object: [String: Any] { json as? [String: Any] ?? [:] }

    /// The `{"error": …}` message, "" when there is none.
    var errorMessage: String { object["error"] as? String ?? "" }

    var text: String { String(buffer: body) }
}

/// Little-endian bytes of scalars, as the binary tensor extension sends them.
func littleEndianBytes<T>(_ values: [T]) -> [UInt8] {
    values.withUnsafeBytes { Array($0) }
}

/// A binary-extension body: the JSON header followed by `tensors`, and its header fields.
func binaryBody(json: String, tensors: [[UInt8]]) -> (bytes: [UInt8], headers: HTTPFields) {
    let header = Array(json.utf8)
    var fields = HTTPFields()
    fields[HTTPField.Name("inference-header-content-length")!] = String(header.count)
    return (header + tensors.flatMap { $0 }, fields)
}

/// Seeded random floats in [-3, 3), never exactly zero.
func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
    var generator = SplitMix64(seed: seed)
    return (0..<count).map { _ in
        let value = Float.random(in: -3..<3, using: &generator)
        return value == 0 ? 0.125 : value
    }
}

/// The model's outputs computed directly (the reference the HTTP answers must match).
func affineReference(_ x: [Float]) -> (scaled: [Float], relu: [Float]) {
    let scaled = x.enumerated().map { $0.element * TestModels.weights[$0.offset % 4] + TestModels.bias[$0.offset % 4] }
    return (scaled, x.map { max($0, 0) })
}
