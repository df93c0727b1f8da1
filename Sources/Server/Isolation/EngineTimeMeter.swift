import Foundation

/// Engine time per tenant, gathered from the scheduler as batches finish (even for requests whose client left)
/// and handed to the usage store in whole milliseconds when a request ends or usage is read.
public final class EngineTimeMeter: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [String: Double] = [:]   // tenant → milliseconds not yet stored

    public init() {}

    public func add(tenant: String, seconds: Double) {
        lock.lock()
        pending[tenant, default: 0] += seconds * 1000
        lock.unlock()
    }

    /// Whole milliseconds to store per tenant; fractions stay for next time.
    public func drain() -> [String: Int] {
        lock.lock()
        defer { lock.unlock() }
        var out: [String: Int] = [:]
        for (tenant, ms) in pending {
            let whole = Int(ms)
            if whole > 0 { out[tenant] = whole }
            let rest = ms - Double(whole)
            pending[tenant] = rest > 0 ? rest : nil
        }
        return out
    }
}
