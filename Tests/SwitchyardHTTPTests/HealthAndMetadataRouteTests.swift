import Hummingbird
import HummingbirdTesting
import Testing
@testable import SwitchyardHTTP

@Suite struct HealthAndMetadataRouteTests {
    @Test func healthServerAndModelMetadata() async throws {
        try await RouterHarness.run { client in
            #expect(try await client.get("/v2/health/live").status == .ok)
            #expect(try await client.get("/v2/health/ready").status == .ok)

            let server = try await client.get("/v2")
            #expect(server.status == .ok)
            #expect(server.headers[.contentType] == "application/json")
            #expect(server.object["name"] as? String == "switchyard")
            #expect((server.object["extensions"] as? [String])?.contains("binary_tensor_data") == true)

            for uri in ["/v2/models/affine", "/v2/models/affine/versions/1"] {
                let metadata = try await client.get(uri)
                #expect(metadata.status == .ok)
                #expect(metadata.object["name"] as? String == "affine")
                #expect(metadata.object["versions"] as? [String] == ["1"])
                let inputs = try #require(metadata.object["inputs"] as? [[String: Any]])
                #expect(inputs.count == 1)
                #expect(inputs.first?["name"] as? String == "x")
                #expect(inputs.first?["datatype"] as? String == "FP32")
                #expect(inputs.first?["shape"] as? [Int] == [-1, 4])
                #expect((metadata.object["outputs"] as? [[String: Any]])?.map { $0["name"] as? String } == ["scaled", "relu"])
            }
            #expect(try await client.get("/v2/models/affine/ready").status == .ok)
            #expect(try await client.get("/v2/models/affine/versions/1/ready").status == .ok)
            #expect(try await client.get("/v2/models/affine/versions/2/ready").status == .badRequest)
            #expect(try await client.get("/v2/models/nope/ready").status == .badRequest)
        }
    }

    @Test func unknownModelVersionAndRouteAre404WithErrorBody() async throws {
        try await RouterHarness.run { client in
            let model = try await client.get("/v2/models/nope")
            #expect(model.status == .notFound)
            #expect(model.errorMessage.contains("nope"))
            let version = try await client.get("/v2/models/affine/versions/7")
            #expect(version.status == .notFound)
            #expect(version.errorMessage.contains("no version 7"))
            let badVersion = try await client.get("/v2/models/affine/versions/seven/config")
            #expect(badVersion.status == .badRequest)
            #expect(badVersion.errorMessage.contains("'seven'"))
            let route = try await client.get("/v3/whatever")
            #expect(route.status == .notFound)
            #expect(!route.errorMessage.isEmpty)
            let infer = try await client.post("/v2/models/nope/infer", json: #"{"inputs":[]}"#)
            #expect(infer.status == .notFound)
            #expect(infer.errorMessage.contains("unknown model 'nope'"))
        }
    }

    @Test func configIsTritonShapedJSON() async throws {
        try await RouterHarness.run { client in
            let response = try await client.get("/v2/models/affine/config")
            #expect(response.status == .ok)
            let config = response.object
            #expect(config["name"] as? String == "affine")
            #expect(config["max_batch_size"] as? Int == 8)
            // Default-valued primitives are printed, as Triton's always_print_primitive_fields does.
            #expect(config["backend"] as? String == "")
            #expect(config["default_model_filename"] as? String == "")
            let input = try #require((config["input"] as? [[String: Any]])?.first)
            #expect(input["data_type"] as? String == "TYPE_FP32")
            #expect(input["format"] as? String == "FORMAT_NONE")
            #expect(input["dims"] as? [Int] == [4])  // numbers, not strings: Triton's int64 fix
            #expect(input["is_shape_tensor"] as? Bool == false)
            let batching = try #require(config["dynamic_batching"] as? [String: Any])
            #expect(batching["preferred_batch_size"] as? [Int] == [4, 8])
            #expect(batching["max_queue_delay_microseconds"] as? Int == 100)
            #expect(batching["priority_levels"] as? String == "0")  // uint64 left as a string, as Triton
            #expect(batching["priority_queue_policy"] as? [String: Any] != nil)
            #expect(batching["default_queue_policy"] == nil)  // unset message: omitted
            let group = try #require((config["instance_group"] as? [[String: Any]])?.first)
            #expect(group["kind"] as? String == "KIND_CPU")
            #expect(group["count"] as? Int == 1)
            #expect(config["parameters"] as? [String: Any] != nil)
        }
    }

    @Test func statisticsHaveEveryTritonField() async throws {
        try await RouterHarness.run { client in
            let body = #"{"inputs":[{"name":"x","shape":[2,4],"datatype":"FP32","data":[1,2,3,4,5,6,7,8]}]}"#
            #expect(try await client.post("/v2/models/affine/infer", json: body).status == .ok)
            for uri in ["/v2/models/stats", "/v2/models/affine/stats", "/v2/models/affine/versions/1/stats"] {
                let response = try await client.get(uri)
                #expect(response.status == .ok)
                let stats = try #require(response.object["model_stats"] as? [[String: Any]])
                let affine = try #require(stats.first { $0["name"] as? String == "affine" })
                #expect(affine["version"] as? String == "1")
                #expect(affine["inference_count"] as? Int == 2)
                #expect(affine["execution_count"] as? Int == 1)
                #expect(affine["last_inference"] as? Int != nil)
                let inference = try #require(affine["inference_stats"] as? [String: [String: Int]])
                for key in ["success", "fail", "queue", "compute_input", "compute_infer", "compute_output", "cache_hit", "cache_miss"] {
                    #expect(inference[key]?["count"] != nil && inference[key]?["ns"] != nil, "missing \(key)")
                }
                #expect(inference["success"]?["count"] == 1)
                #expect(affine["batch_stats"] as? [Any] != nil)
                #expect((affine["residency"] as? [String: Int])?.keys.sorted()
                        == ["bytes", "eviction_count", "last_load_ns", "load_count", "unload_count"])
            }
            #expect(try await client.get("/v2/models/nope/stats").status == .notFound)
        }
    }

    @Test func repositoryIndexLoadAndUnload() async throws {
        try await RouterHarness.run { client in
            let index = try await client.execute(uri: "/v2/repository/index", method: .post)
            #expect(index.status == .ok)
            let entries = try #require(index.json as? [[String: Any]])
            #expect(entries.map { $0["name"] as? String } == ["affine", "flags", "ints"])
            #expect(entries.allSatisfy { $0["state"] as? String == "READY" })

            #expect(try await client.post("/v2/repository/models/ints/unload", json: "").status == .ok)
            #expect(try await client.get("/v2/models/ints/ready").status == .badRequest)
            #expect(try await client.get("/v2/health/ready").status == .badRequest)
            let readyOnly = try await client.post("/v2/repository/index", json: #"{"ready": true}"#)
            #expect((readyOnly.json as? [[String: Any]])?.map { $0["name"] as? String } == ["affine", "flags"])
            let all = try await client.post("/v2/repository/index", json: #"{"ready": false}"#)
            let ints = (all.json as? [[String: Any]])?.first { $0["name"] as? String == "ints" }
            #expect(ints?["state"] as? String == "UNAVAILABLE")
            #expect(ints?["version"] == nil)
            #expect(ints?["reason"] as? String == "unloaded")

            #expect(try await client.post("/v2/repository/models/ints/load", json: "{}").status == .ok)
            #expect(try await client.get("/v2/models/ints/ready").status == .ok)
            let missing = try await client.post("/v2/repository/models/ghost/load", json: "")
            #expect(missing.status == .notFound)
            #expect(missing.errorMessage.contains("ghost"))
            #expect(try await client.post("/v2/repository/index", json: "[1]").status == .badRequest)
            #expect(try await client.post("/v2/repository/index", json: #"{"ready": 3}"#).status == .badRequest)
        }
    }
}
