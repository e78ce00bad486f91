import Foundation
import SwitchyardVision

/// Frames of a video file or stream, decoded by an `ffmpeg` subprocess into raw RGB on a pipe:
/// `ffmpeg [-re] -i SRC -f rawvideo -pix_fmt rgb24 [-vf fps=…,scale=W:H] pipe:1`. Frame i is the
/// i-th frame ffmpeg delivers (after the `fps` filter); each item carries it as "image".
struct VideoSource: FrameSource {
    let stage: String
    let path: String
    let fps: Double?
    let size: (width: Int, height: Int)?
    /// Read a file at 1× speed (`-re`), as a live camera would deliver it.
    let realtime: Bool

    func frames(skipThrough: Int?, emit: (Int, [String: PipelineValue]) -> Bool) throws(PipelineError) {
        let width: Int, height: Int
        if let size {
            (width, height) = size
        } else {
            (width, height) = try probeSize()
        }
        var filters: [String] = []
        if let fps { filters.append("fps=\(fps)") }
        if let size { filters.append("scale=\(size.width):\(size.height)") }
        var arguments = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin"]
        if realtime { arguments.append("-re") }
        arguments += ["-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24"]
        if !filters.isEmpty { arguments += ["-vf", filters.joined(separator: ",")] }
        arguments.append("pipe:1")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw PipelineError("source '\(stage)': cannot start ffmpeg (is it installed? apt install ffmpeg): \(error.localizedDescription)")
        }
        let frameBytes = width * height * 3
        let descriptor = output.fileHandleForReading.fileDescriptor
        var frame = 0
        var stoppedEarly = false
        while true {
            var pixels = [UInt8](repeating: 0, count: frameBytes)
            let filled = pixels.withUnsafeMutableBytes { Self.readFully(descriptor, into: $0) }
            guard filled == frameBytes else { break }
            defer { frame += 1 }
            if let skipThrough, frame <= skipThrough { continue }
            let values: [String: PipelineValue]
            do throws(VisionError) {
                values = ["image": .image(try Image(width: width, height: height, channels: 3, pixels: pixels))]
            } catch {
                values = ["error": .error("source '\(stage)': frame \(frame): \(error)")]
            }
            if !emit(frame, values) {
                stoppedEarly = true
                break
            }
        }
        if stoppedEarly { process.terminate() }
        try? output.fileHandleForReading.close()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if !stoppedEarly, process.terminationStatus != 0 {
            throw PipelineError("source '\(stage)': ffmpeg failed on \(path) (exit \(process.terminationStatus)) after \(frame) frames: \(message)")
        }
    }

    /// The video's frame size, from `ffprobe`.
    private func probeSize() throws(PipelineError) -> (Int, Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
                             "-of", "csv=p=0:s=x", path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        do {
            try process.run()
        } catch {
            throw PipelineError("source '\(stage)': cannot start ffprobe (apt install ffmpeg): \(error.localizedDescription)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let parts = text.split(whereSeparator: \.isNewline).first?.split(separator: "x").compactMap { Int($0) } ?? []
        guard process.terminationStatus == 0, parts.count == 2, parts[0] > 0, parts[1] > 0 else {
            throw PipelineError("source '\(stage)': cannot read the frame size of \(path) with ffprobe (is it a video? give width: and height: for streams)")
        }
        return (parts[0], parts[1])
    }

    /// Reads until `buffer` is full or the pipe ends; returns the bytes read.
    private static func readFully(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            if count > 0 {
                filled += count
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return filled
    }
}
