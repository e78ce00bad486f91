import Foundation
import Testing
import SwitchyardEngine
import SwitchyardGraph
@testable import SwitchyardServing

@Suite struct ModelRepositoryTests {
    typealias Kit = RepositoryTestKit

    /// A repository with good and broken models side by side.
    static func makeRepository() throws -> String {
        let root = try Kit.temporaryDirectory()
        let relu = try Kit.onnxBytes(Kit.reluModel(first: .symbolic("N")))
        // Good: no config, two versions (latest served).
        try Kit.write(relu, to: "\(root)/relu/1/model.onnx")
        try Kit.write(relu, to: "\(root)/relu/2/model.onnx")
        // Good: config with policy all, a custom file name, an unknown field, and junk beside the versions.
        try Kit.write("version_policy { all {} }\ndefault_model_filename: \"net.onnx\"\nmodel_warmup [ { name: \"w\" } ]\n",
                      to: "\(root)/multi/config.pbtxt")
        for version in ["1", "3", "10"] { try Kit.write(relu, to: "\(root)/multi/\(version)/net.onnx") }
        try Kit.write(relu, to: "\(root)/multi/07/net.onnx")
        try Kit.write(relu, to: "\(root)/multi/v2/net.onnx")
        try Kit.write("notes", to: "\(root)/multi/README")
        try FileManager.default.createDirectory(atPath: "\(root)/multi/4", withIntermediateDirectories: true)
        // Broken: syntax error in the config.
        try Kit.write("max_batch_size: 4\ninput [ {\n", to: "\(root)/badconfig/config.pbtxt")
        try Kit.write(relu, to: "\(root)/badconfig/1/model.onnx")
        // Broken: no versions.
        try Kit.write("name: \"empty\"\n", to: "\(root)/empty/config.pbtxt")
        // Broken: a specific version that is not there.
        try Kit.write("version_policy { specific { versions: [1, 5] } }", to: "\(root)/specific/config.pbtxt")
        try Kit.write(relu, to: "\(root)/specific/1/model.onnx")
        // Broken: name differs from the directory.
        try Kit.write("name: \"other\"", to: "\(root)/misnamed/config.pbtxt")
        try Kit.write(relu, to: "\(root)/misnamed/1/model.onnx")
        // Not models: a file and a hidden directory.
        try Kit.write("x", to: "\(root)/stray.txt")
        try Kit.write(relu, to: "\(root)/.hidden/1/model.onnx")
        return root
    }

    @Test func scanReportsEachModelOnItsOwn() throws {
        let root = try Self.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let repository = ModelRepository(path: root)
        #expect(try repository.modelNames() == ["badconfig", "empty", "misnamed", "multi", "relu", "specific"])
        let models = Dictionary(uniqueKeysWithValues: try repository.scan().map { ($0.name, $0) })

        let relu = try models["relu"]!.source.get()
        #expect(relu.configPath == nil && relu.parsed == nil)
        #expect(relu.availableVersions.map(\.version) == [1, 2])
        #expect(relu.servedVersions.map(\.version) == [2])
        #expect(relu.servedVersions.map(\.path) == ["\(root)/relu/2/model.onnx"])
        #expect(relu.servedVersions.first?.precision == "fp32")
        #expect(relu.servedVersions.first?.variants.map(\.fileName) == ["model.onnx"])

        let multi = try models["multi"]!.source.get()
        #expect(multi.availableVersions.map(\.version) == [1, 3, 10], "07, v2 are not version names; 4 has no model file")
        #expect(multi.servedVersions.map(\.version) == [1, 3, 10])
        #expect(multi.servedVersions.last?.path == "\(root)/multi/10/net.onnx")
        #expect(multi.warnings == [
            "multi/config.pbtxt:3: unknown field 'model_warmup' ignored (Switchyard does not use it; check the spelling if you meant a field it does)",
            "multi: version 4 skipped: multi/4/net.onnx is missing or not a regular file",
        ])

        func failure(_ name: String) -> ServingError? {
            if case .failure(let error) = models[name]?.source { return error }
            return nil
        }
        #expect(failure("badconfig")?.message == "badconfig/config.pbtxt:2: syntax error: missing '}' to close the message opened on this line")
        #expect(failure("empty") == .unavailable("empty: no version to serve: expected empty/<version>/model.onnx, e.g. empty/1/model.onnx"))
        #expect(failure("specific") == .unavailable("specific: version_policy specific asks for version 5, which the repository does not hold (available: 1)"))
        #expect(failure("misnamed")?.message == "misnamed/config.pbtxt: name 'other' does not match the model's directory 'misnamed' (they must be equal; fix the name or leave it out)")
    }

    @Test func aScannedModelLoadsAndConfigures() throws {
        let root = try Self.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let source = try ModelRepository(path: root).model(named: "relu").source.get()
        let model = try LoadedModel(contentsOf: source.servedVersions[0].path)
        let configuration = try source.configuration(for: model)
        #expect(configuration.name == "relu" && configuration.maxBatchSize == 4)
        #expect(configuration.metadata(versions: source.servedVersions.map(\.version)).versions == ["2"])
    }

    @Test func missingModelsAndRepositoriesAreErrors() throws {
        let root = try Self.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let repository = ModelRepository(path: root)
        for name in ["nope", "stray.txt", ".hidden", "../\((root as NSString).lastPathComponent)", ""] {
            #expect(throws: ServingError.notFound("model '\(name)' is not in the model repository \(root)")) {
                try repository.model(named: name)
            }
        }
        #expect(throws: ServingError.self) { try ModelRepository(path: root + "/absent").scan() }
    }

    @Test func versionPoliciesSelectVersions() throws {
        func policy(_ text: String) throws -> Inference_ModelVersionPolicy {
            try ModelConfigParser.parse(text, file: "m/config.pbtxt").config.versionPolicy
        }
        let available: [Int64] = [3, 1, 10, 2]
        #expect(try Inference_ModelVersionPolicy().versionsToServe(from: available, model: "m") == [10])
        #expect(try policy("version_policy { latest { num_versions: 2 } }").versionsToServe(from: available, model: "m") == [3, 10])
        #expect(try policy("version_policy { latest { num_versions: 9 } }").versionsToServe(from: available, model: "m") == [1, 2, 3, 10])
        #expect(try policy("version_policy { all { } }").versionsToServe(from: available, model: "m") == [1, 2, 3, 10])
        #expect(try policy("version_policy { specific { versions: [3, 1, 3] } }").versionsToServe(from: available, model: "m") == [1, 3])
        #expect(throws: ServingError.unavailable("m: version_policy specific asks for version 4, 7, which the repository does not hold (available: 1, 2, 3, 10)")) {
            try policy("version_policy { specific { versions: [7, 4, 2] } }").versionsToServe(from: available, model: "m")
        }
    }

    @Test func fingerprintsChangeWithVersionsAndConfig() throws {
        let root = try Self.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let repository = ModelRepository(path: root)
        let before = try repository.fingerprint(of: "relu")
        #expect(try repository.fingerprint(of: "relu") == before, "nothing changed")
        #expect(try repository.model(named: "relu").fingerprint == before)
        #expect(before.configDigest == nil && before.versions.map(\.version) == [1, 2])
        let all = try repository.fingerprints()
        #expect(all.keys.sorted() == (try repository.modelNames()))
        #expect(all["relu"] == before)

        try Kit.write(Kit.onnxBytes(Kit.reluModel(first: .symbolic("N"))), to: "\(root)/relu/3/model.onnx")
        let added = try repository.fingerprint(of: "relu")
        #expect(added != before && added.versions.map(\.version) == [1, 2, 3])

        try Kit.write("max_batch_size: 2\n", to: "\(root)/relu/config.pbtxt")
        let configured = try repository.fingerprint(of: "relu")
        #expect(configured != added && configured.configDigest != nil)
        try Kit.write("max_batch_size: 3\n", to: "\(root)/relu/config.pbtxt")
        let edited = try repository.fingerprint(of: "relu")
        #expect(edited != configured, "same size, different bytes")
        #expect(edited.versions == configured.versions)

        try Kit.write(Data(repeating: 1, count: 10), to: "\(root)/relu/3/model.onnx")
        #expect(try repository.fingerprint(of: "relu") != edited, "a replaced model file changes size")
        try FileManager.default.removeItem(atPath: "\(root)/relu/1")
        #expect(try repository.fingerprint(of: "relu").versions.map(\.version) == [2, 3])
    }
}
