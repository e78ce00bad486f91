import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The image files of a folder, or the files matching a glob (`pages/*.png`), in name order;
/// frame i is the i-th file. Each item carries "bytes" (the file) and "path".
struct ImageFilesSource: FrameSource {
    /// Extensions a folder listing includes (a glob includes whatever it matches).
    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    let stage: String
    let pattern: String

    /// The files, sorted by name.
    func files() throws(PipelineError) -> [String] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: pattern, isDirectory: &isDirectory), isDirectory.boolValue {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: pattern)
            } catch {
                throw PipelineError("source '\(stage)': cannot list \(pattern): \(error.localizedDescription)")
            }
            let images = names.filter { Self.imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
            guard !images.isEmpty else {
                throw PipelineError("source '\(stage)': \(pattern) holds no image files (.jpg, .jpeg, .png)")
            }
            return images.sorted().map { (pattern as NSString).appendingPathComponent($0) }
        }
        let matches = Self.glob(pattern)
        guard !matches.isEmpty else {
            throw PipelineError("source '\(stage)': no file matches \(pattern) (give a folder, a file or a glob such as pages/*.png)")
        }
        return matches.sorted()
    }

    func frames(skipThrough: Int?, emit: (Int, [String: PipelineValue]) -> Bool) throws(PipelineError) {
        for (frame, path) in try files().enumerated() where frame > (skipThrough ?? -1) {
            var values: [String: PipelineValue] = ["path": .string(path)]
            if let data = FileManager.default.contents(atPath: path) {
                values["bytes"] = .bytes([UInt8](data))
            } else {
                values["error"] = .error("source '\(stage)': cannot read \(path)")
            }
            guard emit(frame, values) else { return }
        }
    }

    private static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { index in result.gl_pathv[index].map { String(cString: $0) } }
    }
}
