import SwitchyardTensor
import SwitchyardVision

/// What flows along a pipeline's edges: one frame of a source (or one region of it, after a
/// fan-out) with the named values the stages so far have produced.
///
/// A processor usually returns `item` with values added or replaced (`var next = item;
/// next["text"] = …`), or several `item.region(i, …)` for a fan-out; the source, frame and
/// region travel with it so sinks can order and attribute events.
public struct PipelineItem: Sendable {
    /// The source stage's name.
    public var source: String
    /// The frame's index within its source: the file's index in name order, the video frame
    /// number, or the number the poster gave.
    public var frame: Int
    /// Which region of the frame this item is, after a fan-out (nil before any fan-out).
    public var region: Int?
    /// The named values, e.g. "image", "tensor", "regions", "text".
    public var values: [String: PipelineValue]
    /// The stage that produced this item last (set by the runtime); events name it.
    public var stage: String
    /// The stage whose router queued this item for its current consumer (set by the runtime).
    /// Unlike `stage`, it names the edge even for an error item passed through unchanged: how a
    /// join tells its inputs apart.
    var sentBy = ""

    public init(source: String, frame: Int, region: Int? = nil, values: [String: PipelineValue] = [:], stage: String = "") {
        self.source = source
        self.frame = frame
        self.region = region
        self.values = values
        self.stage = stage
    }

    public subscript(name: String) -> PipelineValue? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// A copy for region `index` of this frame, with `values` merged over this item's values
    /// (big buffers are shared, not copied).
    public func region(_ index: Int, adding values: [String: PipelineValue] = [:]) -> PipelineItem {
        var next = self
        next.region = index
        next.values.merge(values) { _, new in new }
        return next
    }

    /// The error this item carries, if a stage failed on it.
    public var error: String? {
        if case .error(let message)? = values["error"] { return message }
        return nil
    }

    /// "source 'pages' frame 3 region 2", for messages.
    public var label: String {
        "source '\(source)' frame \(frame)" + (region.map { " region \($0)" } ?? "")
    }
}

// Typed access for processors: each throws a `PipelineError` that names the value and what it
// holds instead, so a wrongly wired spec fails with a message that says which value is wrong.
extension PipelineItem {
    public func bytes(_ name: String) throws(PipelineError) -> [UInt8] {
        if case .bytes(let bytes) = try value(name) { return bytes }
        throw mismatch(name, expected: "bytes")
    }

    public func image(_ name: String) throws(PipelineError) -> Image {
        if case .image(let image) = try value(name) { return image }
        throw mismatch(name, expected: "an image")
    }

    public func tensor(_ name: String) throws(PipelineError) -> Tensor {
        if case .tensor(let tensor) = try value(name) { return tensor }
        throw mismatch(name, expected: "a tensor")
    }

    public func detections(_ name: String) throws(PipelineError) -> [Detection] {
        if case .detections(let detections) = try value(name) { return detections }
        throw mismatch(name, expected: "detections")
    }

    public func textRegions(_ name: String) throws(PipelineError) -> [TextRegion] {
        if case .textRegions(let regions) = try value(name) { return regions }
        throw mismatch(name, expected: "text regions")
    }

    public func quad(_ name: String) throws(PipelineError) -> Quad {
        if case .quad(let quad) = try value(name) { return quad }
        throw mismatch(name, expected: "a quad")
    }

    public func box(_ name: String) throws(PipelineError) -> Box {
        if case .box(let box) = try value(name) { return box }
        throw mismatch(name, expected: "a box")
    }

    public func letterbox(_ name: String) throws(PipelineError) -> LetterboxTransform {
        if case .letterbox(let transform) = try value(name) { return transform }
        throw mismatch(name, expected: "a letterbox transform")
    }

    /// The decode scale called `name`; see ``decodeScale(of:)`` for the one beside an image.
    public func decodeScale(_ name: String) throws(PipelineError) -> DecodeScale {
        if case .decodeScale(let scale) = try value(name) { return scale }
        throw mismatch(name, expected: "a decode scale")
    }

    public func number(_ name: String) throws(PipelineError) -> Double {
        if case .number(let number) = try value(name) { return number }
        throw mismatch(name, expected: "a number")
    }

    public func string(_ name: String) throws(PipelineError) -> String {
        if case .string(let string) = try value(name) { return string }
        throw mismatch(name, expected: "a string")
    }

    /// The value called `name`, or an error that lists the values the item has.
    public func value(_ name: String) throws(PipelineError) -> PipelineValue {
        guard let value = values[name] else {
            let present = values.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
            throw PipelineError("\(label): no value '\(name)' (the item has \(present.isEmpty ? "no values" : present))")
        }
        return value
    }

    private func mismatch(_ name: String, expected: String) -> PipelineError {
        PipelineError("\(label): value '\(name)' should be \(expected), got \(values[name]?.kindName ?? "nothing")")
    }
}
