import SwitchyardServing

extension Inference_ModelStatistics {
    /// Triton's statistics extension fields (what perf_analyzer's server-side section reads). The
    /// residency, batch-profile, precision and shadow figures that HTTP adds as extra JSON keys have
    /// no field in Triton's message: `GET …/stats` shows them.
    init(_ statistics: ModelStatistics) {
        self.init()
        name = statistics.name
        version = statistics.version
        lastInference = statistics.lastInferenceMilliseconds
        inferenceCount = statistics.inferenceCount
        executionCount = statistics.executionCount
        inferenceStats = .with {
            $0.success = .init(statistics.success)
            $0.fail = .init(statistics.fail)
            $0.queue = .init(statistics.queue)
            $0.computeInput = .init(statistics.computeInput)
            $0.computeInfer = .init(statistics.computeInfer)
            $0.computeOutput = .init(statistics.computeOutput)
            // No response cache: both stay zero, present because clients read them.
            $0.cacheHit = .init()
            $0.cacheMiss = .init()
        }
        batchStats = statistics.batchStatistics.map { batch in
            .with {
                $0.batchSize = UInt64(batch.batchSize)
                $0.computeInput = .init(batch.computeInput)
                $0.computeInfer = .init(batch.computeInfer)
                $0.computeOutput = .init(batch.computeOutput)
            }
        }
    }
}

extension Inference_StatisticDuration {
    init(_ duration: DurationStatistic) {
        self.init()
        count = duration.count
        ns = duration.nanoseconds
    }
}
