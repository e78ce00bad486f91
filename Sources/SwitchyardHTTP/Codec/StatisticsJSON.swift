import SwitchyardServing

/// `GET …/stats` in Triton's statistics-extension JSON. Every count field is present (perf_analyzer
/// reads them all); Switchyard's residency figures are under the extra key `residency`, the load-time
/// batch profile under `batch_profile`, the precision variants under `precision` and shadow
/// evaluation (when configured) under `shadow` (written by `PrecisionJSON`).
enum StatisticsJSON {
    static func write(_ statistics: [ModelStatistics], to w: inout JSONWriter) {
        w.raw("{\"model_stats\":[")
        for (index, model) in statistics.enumerated() {
            if index > 0 { w.raw(",") }
            write(model, to: &w)
        }
        w.raw("]}")
    }

    private static func write(_ model: ModelStatistics, to w: inout JSONWriter) {
        w.raw("{\"name\":")
        w.string(model.name)
        w.raw(",\"version\":")
        w.string(model.version)
        w.raw(",\"last_inference\":")
        w.integer(model.lastInferenceMilliseconds)
        w.raw(",\"inference_count\":")
        w.integer(model.inferenceCount)
        w.raw(",\"execution_count\":")
        w.integer(model.executionCount)
        w.raw(",\"inference_stats\":{")
        duration("success", model.success, &w, first: true)
        duration("fail", model.fail, &w)
        duration("queue", model.queue, &w)
        duration("compute_input", model.computeInput, &w)
        duration("compute_infer", model.computeInfer, &w)
        duration("compute_output", model.computeOutput, &w)
        // Switchyard has no response cache: both stay zero, present because clients read them.
        duration("cache_hit", DurationStatistic(), &w)
        duration("cache_miss", DurationStatistic(), &w)
        w.raw("},\"batch_stats\":[")
        for (index, batch) in model.batchStatistics.enumerated() {
            if index > 0 { w.raw(",") }
            w.raw("{\"batch_size\":")
            w.integer(batch.batchSize)
            duration("compute_input", batch.computeInput, &w)
            duration("compute_infer", batch.computeInfer, &w)
            duration("compute_output", batch.computeOutput, &w)
            w.raw("}")
        }
        w.raw("],\"memory_usage\":[],\"residency\":{\"load_count\":")
        w.integer(model.residency.loadCount)
        w.raw(",\"unload_count\":")
        w.integer(model.residency.unloadCount)
        w.raw(",\"eviction_count\":")
        w.integer(model.residency.evictionCount)
        w.raw(",\"last_load_ns\":")
        w.integer(model.residency.lastLoadNanoseconds)
        w.raw(",\"bytes\":")
        w.integer(model.residency.bytes)
        w.raw("}")
        if let profile = model.batchProfile { batchProfile(profile, &w) }
        if let precision = model.precision { PrecisionJSON.write(precision, to: &w) }
        if let shadow = model.shadow { PrecisionJSON.write(shadow, to: &w) }
        w.raw("}")
    }

    /// `"batch_profile": {"chosen_batch_size", "choice", "measurements": [{"batch_size", "ms_per_batch", "items_per_second"}]}`.
    private static func batchProfile(_ profile: BatchProfile, _ w: inout JSONWriter) {
        w.raw(",\"batch_profile\":{\"chosen_batch_size\":")
        w.integer(profile.chosenBatchSize)
        let choice = switch profile.choice {
        case .notBatching: "not_batching"
        case .measured: "measured"
        case .configured: "preferred_batch_size"
        case .skipped(let reason): "skipped: \(reason)"
        }
        w.raw(",\"choice\":")
        w.string(choice)
        w.raw(",\"measurements\":")
        w.array(profile.measurements) { w, measurement in
            w.raw("{\"batch_size\":")
            w.integer(measurement.batchSize)
            w.raw(",\"ms_per_batch\":")
            w.number(measurement.millisecondsPerBatch)
            w.raw(",\"items_per_second\":")
            w.number(measurement.itemsPerSecond)
            w.raw("}")
        }
        w.raw("}")
    }

    private static func duration(_ key: String, _ value: DurationStatistic, _ w: inout JSONWriter, first: Bool = false) {
        if !first { w.raw(",") }
        w.key(key)
        w.raw("{\"count\":")
        w.integer(value.count)
        w.raw(",\"ns\":")
        w.integer(value.nanoseconds)
        w.raw("}")
    }
}
