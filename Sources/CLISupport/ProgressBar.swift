import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress bar on stderr for the command-line tools: redrawn in place on a terminal (at most ten
/// times a second), one line per 10% otherwise (logs, CI).
public final class ProgressBar {
    public let label: String
    /// Writes an amount of work, e.g. "12.5/100.0 MiB" or "5000/110000 sentence pairs".
    private let amount: (_ done: Int, _ total: Int) -> String
    /// Writes the rate given the work done per second, e.g. "35 MiB/s".
    private let rate: (_ perSecond: Double) -> String
    private let isTTY = isatty(STDERR_FILENO) != 0
    private var lastDecile = -1
    private var lastDraw = Date.distantPast
    private let start = Date()

    public init(label: String, amount: @escaping (Int, Int) -> String, rate: @escaping (Double) -> String) {
        self.label = label
        self.amount = amount
        self.rate = rate
    }

    /// Counts items: "done/total unit", "N unit/s".
    public convenience init(label: String, unit: String) {
        self.init(label: label, amount: { "\($0)/\($1) \(unit)" }, rate: { String(format: "%.0f \(unit)/s", $0) })
    }

    public func update(done: Int, total: Int) {
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let elapsed = Date().timeIntervalSince(start)
        if isTTY {
            guard Date().timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
            lastDraw = Date()
            let width = 30, filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data(
                "\r\(label) [\(bar)] \(Int(fraction * 100))% \(amount(done, total)) \(rate(elapsed > 0 ? Double(done) / elapsed : 0))".utf8))
        } else {
            let decile = Int(fraction * 10)
            guard decile > lastDecile else { return }
            lastDecile = decile
            FileHandle.standardError.write(Data("\(label): \(decile * 10)% (\(amount(done, total)))\n".utf8))
        }
    }

    public func finish() { if isTTY { FileHandle.standardError.write(Data("\n".utf8)) } }
}
