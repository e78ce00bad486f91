// Times SwitchyardVision's hot paths on a 1280×960 RGB page: the resize to the PP-OCR detector's input
// (992×736) plus the Float32 NCHW tensor conversion, and each step alone. Built and run by
// scripts/bench-vision.sh (optimised, whole-module), which also times OpenCV + NumPy doing the same.
import Foundation
import SwitchyardTensor
import SwitchyardVision

func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func median(_ repeats: Int, _ body: () -> Void) -> Double {
    for _ in 0..<3 { body() }
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = threadCPUSeconds()
        body()
        times.append(threadCPUSeconds() - start)
    }
    return times.sorted()[repeats / 2]
}

var generator = SplitMix64(seed: 1)
let page = try Image(width: 1280, height: 960, channels: 3,
                     pixels: (0..<(1280 * 960 * 3)).map { _ in UInt8.random(in: 0...255, using: &generator) })
let repeats = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 30
var sink = 0
let resize = median(repeats) { sink &+= Int(page.resized(width: 992, height: 736).pixels[7]) }
let small = page.resized(width: 992, height: 736)
let tensor = median(repeats) { sink &+= small.tensor(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]).count }
let both = median(repeats) {
    sink &+= page.resized(width: 992, height: 736).tensor(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]).count
}
let letterbox = median(repeats) { sink &+= page.letterboxed(width: 640, height: 640).image.pixels.count }
print(String(format: "switchyard resize 1280x960->992x736: %.2f ms", resize * 1000))
print(String(format: "switchyard tensor 992x736 NCHW:      %.2f ms", tensor * 1000))
print(String(format: "switchyard resize + tensor:          %.2f ms", both * 1000))
print(String(format: "switchyard letterbox -> 640x640:     %.2f ms", letterbox * 1000))
// DB post-processing on a real PP-OCRv4 detector map of a rendered page (made by make-vision-fixtures.py).
let mapPath = ".cache/vision-fixtures/db/page0.npy"
if let map = try? Tensor(npyFile: mapPath) {
    let db = DBPostprocessor(dilate: true)
    let regions = try db.regions(probability: map, originalWidth: 960, originalHeight: 720)[0]
    let seconds = median(repeats) { sink &+= (try? db.regions(probability: map, originalWidth: 960, originalHeight: 720))?.count ?? 0 }
    print(String(format: "switchyard DB post-process %@ map:  %.2f ms (%d regions)", "\(map.shape[3])x\(map.shape[2])", seconds * 1000, regions.count))
    let crops = median(repeats) { for region in regions { sink &+= page.cropped(to: region.quad).width } }
    print(String(format: "switchyard crop %d regions:          %.2f ms", regions.count, crops * 1000))
}
if sink == 42 { print("") }
