import Testing
import SwitchyardEngine
import SwitchyardTensor
@testable import SwitchyardServing

extension BatchingSuites {
    /// Instance groups, thread budgets, core pinning and shutdown.
    @Suite struct InstanceTests {
        typealias Kit = BatchingTestKit

        @Test func theThreadBudgetIsSplitWithoutOversubscribing() throws {
            let model = try Kit.rowModel()
            func plan(instances: Int, budget: Int, cores: String? = nil) throws -> [Int] {
                let config = Kit.config(for: model, name: "rows", maxBatchSize: 4, instances: instances,
                                        parameters: cores.map { ["cpu_cores": $0] } ?? [:])
                return try InstancePlan(modelName: "rows", config: config, threadBudget: budget).instances.map(\.threads)
            }
            #expect(try plan(instances: 1, budget: 8) == [8])
            #expect(try plan(instances: 3, budget: 8) == [2, 2, 2])
            #expect(try plan(instances: 4, budget: 2) == [1, 1, 1, 1])
            #expect(try plan(instances: 1, budget: 8, cores: "0-1") == [2])
        }

        @Test func gpuInstancesAndBadCoreListsFailToLoadWithAReason() async throws {
            let model = try Kit.rowModel()
            var gpu = Kit.config(for: model, name: "rows", maxBatchSize: 4)
            gpu.instanceGroup[0].kind = .gpu
            do throws(ServingError) {
                _ = try await Kit.serve(model, gpu)
                Issue.record("KIND_GPU was accepted")
            } catch {
                #expect(error.kind == .invalidArgument)
                #expect(error.message.contains("no GPU backend on this machine"))
            }
            for bad in ["", "1-0", "a", "0-", "2000"] {
                let config = Kit.config(for: model, name: "rows", maxBatchSize: 4, parameters: ["cpu_cores": bad])
                do throws(ServingError) {
                    _ = try await Kit.serve(model, config)
                    Issue.record("cpu_cores '\(bad)' was accepted")
                } catch {
                    #expect(error.kind == .invalidArgument)
                    #expect(error.message.contains("cpu_cores"))
                }
            }
        }

        @Test func coreListsAreDescribedLikeTaskset() throws {
            #expect(CPUAffinity.describe([0, 1, 3, 5, 6, 7]) == "0-1,3,5-7")
        }

        @Test func cpuCoresPinsEveryInstanceThread() async throws {
            let allowed = try #require(CPUAffinity.currentThreadCores())
            let model = try Kit.rowModel()
            let unpinned = try await Kit.serve(model, Kit.config(for: model, name: "free", maxBatchSize: 4))
            #expect(unpinned.instances.map(\.cores) == [allowed])
            await unpinned.shutdown()

            let core = try #require(allowed.last)
            let pinned = try await Kit.serve(model, Kit.config(for: model, name: "pinned", maxBatchSize: 4, instances: 2,
                                                         parameters: ["cpu_cores": "\(core)"]), threads: 2)
            #expect(pinned.instances.map(\.cores) == [[core], [core]])
            #expect(pinned.instances.map(\.threads) == [1, 1])
            var generator = SplitMix64(seed: 31)
            _ = try await pinned.infer(Kit.request("pinned", Kit.tensor([2, 4], &generator)))
            await pinned.shutdown()
        }

        @Test func instancesRunOnTheServersInferenceCoresUnlessCpuCoresSaysOtherwise() async throws {
            let allowed = try #require(CPUAffinity.currentThreadCores())
            let model = try Kit.rowModel()
            let inference = [try #require(allowed.last)]
            let placed = try await Kit.serve(model, Kit.config(for: model, name: "placed", maxBatchSize: 4, instances: 2),
                                             threads: 4, cores: inference)
            #expect(placed.instances.map(\.cores) == [inference, inference])
            // Two threads on one core would oversubscribe it.
            #expect(placed.instances.map(\.threads) == [1, 1])
            await placed.shutdown()

            let own = try #require(allowed.first)
            let explicit = try await Kit.serve(model, Kit.config(for: model, name: "explicit", maxBatchSize: 4,
                                                                 parameters: ["cpu_cores": "\(own)"]), cores: inference)
            #expect(explicit.instances.map(\.cores) == [[own]])
            await explicit.shutdown()
        }

        @Test func frontendCoresSplitTheMachine() throws {
            let four = [0, 1, 2, 3]
            #expect(try CoreSplit.resolve(.auto, threads: 4, available: four) == CoreSplit())
            #expect(try CoreSplit.resolve(.auto, threads: 1, available: [0, 1]) == CoreSplit(inference: [0], frontend: [1]))
            #expect(try CoreSplit.resolve(.auto, threads: 3, available: four) == CoreSplit(inference: [0, 1, 2], frontend: [3]))
            #expect(try CoreSplit.resolve(.none, threads: 1, available: four) == CoreSplit())
            #expect(try CoreSplit.resolve(.cores([2, 3]), threads: 4, available: four) == CoreSplit(inference: [0, 1], frontend: [2, 3]))
            #expect(try CoreSplit.Request(parsing: "2-3") == .cores([2, 3]))
            #expect(try CoreSplit.Request(parsing: "auto") == .auto)
            #expect(throws: ServingError.self) { try CoreSplit.resolve(.cores(four), threads: 1, available: four) }
            do throws(ServingError) {
                _ = try CoreSplit.resolve(.cores([5]), threads: 1, available: [0, 1])
                Issue.record("a core outside the process's mask was accepted")
            } catch {
                #expect(error.message == "--frontend-cores 5 names cores this process may not use (5); it may use 0-1")
            }
            do throws(ServingError) {
                _ = try CoreSplit.Request(parsing: "one")
                Issue.record("'one' was accepted")
            } catch {
                #expect(error.message.hasPrefix("--frontend-cores: 'one' in 'one' is not a core id"))
            }
        }

        @Test func shutdownFinishesQueuedWorkThenRefusesNewRequests() async throws {
            let model = try Kit.slowModel()
            let served = try await Kit.serve(model, Kit.config(for: model, name: "slow", maxBatchSize: 0))
            let blocker = try await Kit.occupy(served, model: "slow")
            var generator = SplitMix64(seed: 32)
            let queued = (0..<4).map { Kit.request("slow", Kit.slowInput(length: 3, &generator), id: "q\($0)") }
            let tasks = queued.map { request in Task { try? await served.infer(request) } }
            let allQueued = await Kit.waitUntil { served.queuedRequests == 4 }
            try #require(allQueued)
            let stopping = Task { await served.shutdown() }
            let refusedInTime = await Kit.waitUntil {
                // New requests are refused as soon as shutdown begins.
                served.isAcceptingRequests == false
            }
            #expect(refusedInTime)
            var refused: ServingError?
            do throws(ServingError) {
                _ = try await served.infer(Kit.request("slow", Kit.slowInput(length: 1, &generator)))
            } catch {
                refused = error
            }
            #expect(refused?.kind == .unavailable)
            await stopping.value
            #expect(served.pendingRequests == 0)
            #expect((try? await blocker.value.get()) != nil)
            for task in tasks { #expect(await task.value != nil) }
            #expect(served.statistics.success.count == 5)
            await served.shutdown()  // a second shutdown returns at once
        }
    }
}
