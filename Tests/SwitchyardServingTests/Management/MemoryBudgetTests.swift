import Testing
@testable import SwitchyardServing

@Suite struct MemoryBudgetTests {
    @Test func parsesBinaryAndDecimalUnits() throws {
        #expect(try MemoryBudget.parse("cpu=6GiB").cpuBytes == 6 << 30)
        #expect(try MemoryBudget.parse("cpu=512MB").cpuBytes == 512_000_000)
        #expect(try MemoryBudget.parse("cpu=1.5GiB").cpuBytes == 3 << 29)
        #expect(try MemoryBudget.parse("cpu=1000").cpuBytes == 1000)
        let both = try MemoryBudget.parse("CPU = 2GiB, gpu=8GiB")
        #expect(both.bytesByDevice == ["cpu": 2 << 30, "gpu": 8 << 30])
    }

    @Test(arguments: ["6GiB", "cpu=", "cpu=6XB", "cpu=-1GiB", "cpu=0", "cpu=1GiB,cpu=2GiB", "=5"])
    func rejectsMalformedBudgets(_ text: String) {
        #expect(throws: ServingError.self) { try MemoryBudget.parse(text) }
        do {
            _ = try MemoryBudget.parse(text)
        } catch {
            #expect(error.kind == .invalidArgument)
            #expect(error.message.contains(text))
        }
    }

    @Test func describesItselfForPeople() throws {
        #expect("\(try MemoryBudget.parse("cpu=6GiB"))" == "cpu=6.0 GiB")
        #expect("\(MemoryBudget.unlimited)" == "unlimited")
        #expect("\(ByteCount(1536))" == "1.5 KiB")
        #expect("\(ByteCount(900))" == "900 B")
    }
}
