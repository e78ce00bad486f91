import Foundation
import SwitchyardVision

/// One row a sink writes: what a stage found (or why it failed) for one frame or region.
public struct PipelineEvent: Sendable, Equatable, Codable {
    /// Seconds since 1970 when the event reached the sink.
    public var time: Double
    public var source: String
    public var frame: Int
    public var region: Int?
    /// The stage that produced the item (for errors: the stage that failed).
    public var stage: String
    public var label: String?
    public var score: Float?
    /// [x1, y1, x2, y2] for a box, [x1, y1, …, x4, y4] for a quad.
    public var box: [Float]?
    public var text: String?
    public var error: String?

    public init(time: Double, source: String, frame: Int, region: Int? = nil, stage: String, label: String? = nil,
                score: Float? = nil, box: [Float]? = nil, text: String? = nil, error: String? = nil) {
        self.time = time
        self.source = source
        self.frame = frame
        self.region = region
        self.stage = stage
        self.label = label
        self.score = score
        self.box = box
        self.text = text
        self.error = error
    }

    /// The events an item becomes in a sink:
    /// - an item carrying an error → one error event;
    /// - an item with `detections` → one event per detection (label = class index, its box and score);
    /// - otherwise one event from the item's first (by value name) text, label, box or quad values:
    ///   `text` with its confidence as score, `label` with its score, and the box or quad.
    public static func events(from item: PipelineItem, time: Double = Date().timeIntervalSince1970) -> [PipelineEvent] {
        var event = PipelineEvent(time: time, source: item.source, frame: item.frame, region: item.region, stage: item.stage)
        if let error = item.error {
            event.error = error
            return [event]
        }
        var detections: [Detection]?
        for name in item.values.keys.sorted() {
            switch item.values[name]! {
            case .text(let text, let confidence) where event.text == nil:
                event.text = text
                if event.label == nil { event.score = confidence }
            case .label(let label, let score) where event.label == nil:
                event.label = label
                event.score = score
            case .box(let box) where event.box == nil:
                event.box = [box.x1, box.y1, box.x2, box.y2]
            case .quad(let quad) where event.box == nil:
                event.box = quad.points.flatMap { [$0.x, $0.y] }
            case .detections(let found) where detections == nil:
                detections = found
            default:
                break
            }
        }
        guard let detections else { return [event] }
        return detections.map { detection in
            var one = event
            one.label = String(detection.classIndex)
            one.score = detection.score
            one.box = [detection.box.x1, detection.box.y1, detection.box.x2, detection.box.y2]
            return one
        }
    }
}
