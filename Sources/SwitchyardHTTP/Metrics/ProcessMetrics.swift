import Foundation
import Prometheus

/// The process's CPU time and resident memory as Prometheus gauges, refreshed at each scrape
/// from `/proc/self/stat` and `/proc/self/statm` (Linux; elsewhere the gauges stay at 0).
struct ProcessMetrics: Sendable {
    private let cpuSeconds: Gauge
    private let residentBytes: Gauge
    private let virtualBytes: Gauge

    init(registry: PrometheusCollectorRegistry) {
        cpuSeconds = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "process", metricName: "cpu", unitName: "seconds_total",
            helpText: "User and system CPU time of the process, in seconds."))
        residentBytes = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "process", metricName: "resident_memory", unitName: "bytes",
            helpText: "Resident set size of the process, in bytes."))
        virtualBytes = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "process", metricName: "virtual_memory", unitName: "bytes",
            helpText: "Virtual memory size of the process, in bytes."))
    }

    func update() {
        if let sample = Self.sample() {
            cpuSeconds.set(sample.cpuSeconds)
            residentBytes.set(Double(sample.residentBytes))
            virtualBytes.set(Double(sample.virtualBytes))
        }
    }

    struct Sample: Equatable {
        var cpuSeconds: Double
        var residentBytes: Int
        var virtualBytes: Int
    }

    /// One reading of /proc, nil where it is unavailable.
    static func sample() -> Sample? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        // The command name (field 2) may contain spaces; the fields after its ')' are fixed.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After ')' come state (field 3) onward: utime is field 14, stime field 15.
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let pages = statm.split(separator: " ")
        guard pages.count > 1, let virtualPages = Int(pages[0]), let residentPages = Int(pages[1]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        return Sample(cpuSeconds: (user + system) / ticks, residentBytes: residentPages * pageSize,
                      virtualBytes: virtualPages * pageSize)
    }
}
