import SwitchyardPipeline
import SwitchyardTensor
import SwitchyardVision

/// Small helpers the built-in processor tests share: processors made through the registry (as a
/// spec makes them), seeded random images, items.
enum Builtin {
    /// The built-in processor `name` with `options`, made as a spec stage called "stage" would.
    static func processor(_ name: String, _ options: [String: OptionValue] = [:]) throws -> any PipelineProcessor {
        try ProcessorRegistry.builtin.make(name, options: ProcessorOptions(stage: "stage", values: options))
    }

    /// The error making `name` with `options` throws (nil when it does not throw).
    static func optionError(_ name: String, _ options: [String: OptionValue]) -> PipelineError? {
        do {
            _ = try ProcessorRegistry.builtin.make(name, options: ProcessorOptions(stage: "stage", values: options))
            return nil
        } catch {
            return error
        }
    }

    /// A random RGB (or gray) image with every byte in 1…255, from `seed`.
    static func randomImage(width: Int, height: Int, channels: Int = 3, seed: UInt64) throws -> Image {
        var generator = SplitMix64(seed: seed)
        let pixels = (0..<(width * height * channels)).map { _ in UInt8(generator.next() % 255 + 1) }
        return try Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// An item of source "pages", frame 3, with `values`.
    static func item(_ values: [String: PipelineValue]) -> PipelineItem {
        PipelineItem(source: "pages", frame: 3, values: values)
    }
}

extension PipelineItem {
    /// The value `name` as an image, or nil.
    func imageValue(_ name: String) -> Image? {
        if case .image(let image)? = values[name] { return image }
        return nil
    }

    /// The value `name` as a tensor, or nil.
    func tensorValue(_ name: String) -> Tensor? {
        if case .tensor(let tensor)? = values[name] { return tensor }
        return nil
    }
}
