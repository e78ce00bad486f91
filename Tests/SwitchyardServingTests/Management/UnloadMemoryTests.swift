import Testing
import SwitchyardTestSupport
@testable import SwitchyardServing

/// Unloading really returns a model's memory to the operating system.
@Suite struct UnloadMemoryTests {
    @Test func residentSetShrinksWhenALargeModelIsUnloaded() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        let rows = 8 << 20  // 8 Mi rows × 16 bytes = 128 MiB of weights
        try repository.add("big", model: TestModels.lookup(rows: rows))
        let manager = try ModelManagerTestKit.manager(repository, mode: .explicit)
        await manager.start()
        try await manager.loadModel(name: "big")
        _ = try await manager.infer(ModelManagerTestKit.lookupRequest("big", ids: [0, Int64(rows - 1)]))
        let loaded = try #require(ProcessMemory.residentBytes())
        try await manager.unloadModel(name: "big")
        let unloaded = try #require(ProcessMemory.residentBytes())
        // Other tests run in this process at the same time; 96 MiB of the 128 is a drop that no
        // other test's allocations can fake.
        #expect(loaded - unloaded > 96 << 20, "RSS \(loaded >> 20) MiB loaded, \(unloaded >> 20) MiB unloaded")
        await manager.shutdown()
    }
}
