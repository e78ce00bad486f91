import SwitchyardServing

/// The `precision` and `shadow` objects of a model version's statistics JSON.
enum PrecisionJSON {
    /// `,"precision": {"serving", "weight_bytes", "packed_weight_bytes", "arena_bytes", "variants": [{"precision", "file", "file_bytes"}]}`.
    static func write(_ precision: PrecisionStatistics, to w: inout JSONWriter) {
        w.raw(",\"precision\":{\"serving\":")
        w.string(precision.serving)
        w.raw(",\"weight_bytes\":")
        w.integer(precision.weightBytes)
        w.raw(",\"packed_weight_bytes\":")
        w.integer(precision.packedWeightBytes)
        w.raw(",\"arena_bytes\":")
        w.integer(precision.arenaBytes)
        w.raw(",\"variants\":")
        w.array(precision.variants) { w, variant in
            w.raw("{\"precision\":")
            w.string(variant.precision)
            w.raw(",\"file\":")
            w.string(variant.fileName)
            w.raw(",\"file_bytes\":")
            w.integer(variant.fileBytes)
            w.raw("}")
        }
        w.raw("}")
    }

    /// `,"shadow": {"reference", "sample_rate", "metric", "tolerance", "reference_bytes", "sampled",
    /// "compared", "dropped_busy", "failed", "compared_units", "agreeing_units", "agreement",
    /// "max_abs_error", "mean_abs_error"}`; `agreement` and `mean_abs_error` are null before the
    /// first comparison.
    static func write(_ shadow: ShadowStatistics, to w: inout JSONWriter) {
        w.raw(",\"shadow\":{\"reference\":")
        w.string(shadow.reference)
        w.raw(",\"sample_rate\":")
        w.number(shadow.sampleRate)
        w.raw(",\"metric\":")
        w.string(shadow.metric)
        w.raw(",\"tolerance\":")
        w.number(shadow.tolerance)
        w.raw(",\"reference_bytes\":")
        w.integer(shadow.referenceBytes)
        for (key, value) in [("sampled", shadow.sampled), ("compared", shadow.compared), ("dropped_busy", shadow.droppedBusy),
                             ("failed", shadow.failed), ("compared_units", shadow.comparedUnits),
                             ("agreeing_units", shadow.agreeingUnits)] {
            w.raw(",")
            w.key(key)
            w.integer(value)
        }
        w.raw(",\"agreement\":")
        optional(shadow.agreement, &w)
        w.raw(",\"max_abs_error\":")
        w.number(shadow.maxAbsoluteError)
        w.raw(",\"mean_abs_error\":")
        optional(shadow.meanAbsoluteError, &w)
        w.raw("}")
    }

    private static func optional(_ value: Double?, _ w: inout JSONWriter) {
        if let value { w.number(value) } else { w.raw("null") }
    }
}
