import Foundation
import Testing
@testable import SwitchyardPipeline

@Suite struct BoundedQueueTests {
    @Test func dropOldestKeepsTheNewestWithinCapacity() {
        let queue = BoundedQueue<Int>(capacity: 3, producers: 1)
        let values = PipelineTestKit.randomValues(count: 10, seed: 2).map(Int.init)
        var dropped: [Int] = []
        for value in values {
            if let old = queue.pushDroppingOldest(value) { dropped.append(old) }
            #expect(queue.depth <= 3)
        }
        #expect(dropped == Array(values.prefix(7)))
        queue.producerFinished()
        var rest: [Int] = []
        while case .item(let value) = queue.pop() { rest.append(value) }
        #expect(rest == Array(values.suffix(3)))
        #expect(queue.highWater == 3)
    }

    @Test func pushWaitsForRoomAndPopEndsAfterTheLastProducer() async {
        let queue = BoundedQueue<Int>(capacity: 2, producers: 2)
        let pushed = PipelineTestKit.Counter()
        for producer in 0..<2 {
            Thread {
                for index in 0..<50 {
                    queue.push(producer * 100 + index + 1)
                    pushed.increment()
                }
                queue.producerFinished()
            }.start()
        }
        #expect(await PipelineTestKit.eventually { queue.depth == 2 })
        try? await Task.sleep(for: .milliseconds(100))
        #expect(pushed.count == 2, "producers went on although the queue was full")
        var received: [Int] = []
        while case .item(let value) = queue.pop(timeout: 5) { received.append(value) }
        #expect(received.count == 100)
        for producer in 0..<2 {
            // Each producer's items come out in the order it pushed them.
            #expect(received.filter { ($0 - 1) / 100 == producer } == (1...50).map { producer * 100 + $0 })
        }
        #expect(queue.highWater == 2)
    }
}
