import CoreMetrics
import Foundation
import Metrics
import Prometheus
import Translation

/// The service's metrics, recorded through swift-metrics into a Prometheus registry of its own (not the global
/// `MetricsSystem`, so several servers, e.g. in tests, can live in one process). Exposed at `/metrics`.
public final class ServerMetrics: SchedulerObserver, @unchecked Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let lock = NSLock()
    private var cacheHits = 0
    private var cacheLookups = 0
    /// Engine time per tenant not yet written to the usage store.
    public let engineMeter = EngineTimeMeter()

    public init() {
        var f = PrometheusMetricsFactory(registry: registry)
        f.durationHistogramBuckets["csanmt_http_request_duration_seconds"] =
            [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30].map { Duration.milliseconds(Int($0 * 1000)) }
        f.valueHistogramBuckets["csanmt_batch_sentences"] = [1, 2, 4, 8, 16, 32, 64, 128]
        f.durationHistogramBuckets["csanmt_queue_wait_seconds"] =
            [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30].map { Duration.milliseconds(Int($0 * 1000)) }
        factory = f
        // Present from the start, so dashboards and the exposition show them before the first event.
        Gauge(label: "csanmt_queue_depth_sentences", factory: factory).record(0)
        Gauge(label: "csanmt_cache_hit_ratio", factory: factory).record(0)
        Counter(label: "csanmt_sentences_dropped_total", factory: factory).increment(by: 0)
        Counter(label: "csanmt_audit_dropped_lines_total", factory: factory).increment(by: 0)
    }

    /// The Prometheus text exposition.
    public func exposition() -> String { registry.emitToString() }

    /// One finished HTTP request. `route` is the matched route pattern (bounded cardinality), not the raw path.
    func request(tenant: String?, route: String, status: Int, seconds: Double) {
        Counter(label: "csanmt_http_requests_total",
                dimensions: [("tenant", tenant ?? "-"), ("route", route), ("status", String(status))], factory: factory).increment()
        Metrics.Timer(label: "csanmt_http_request_duration_seconds", dimensions: [("route", route)], factory: factory)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    func quotaRejected(tenant: String, kind: QuotaKind) {
        Counter(label: "csanmt_quota_rejections_total", dimensions: [("tenant", tenant), ("limit", kind.rawValue)], factory: factory)
            .increment()
    }

    /// A request refused before the engine: `reason` is the error code (`rate_limited`, `concurrency_limit`,
    /// `busy`, `quota_exceeded`, `too_many_sentences`, …).
    func rejected(tenant: String, reason: String) {
        Counter(label: "csanmt_rejections_total", dimensions: [("tenant", tenant), ("reason", reason)], factory: factory).increment()
    }

    func cache(hits: Int, misses: Int) {
        Counter(label: "csanmt_cache_lookups_total", dimensions: [("result", "hit")], factory: factory).increment(by: hits)
        Counter(label: "csanmt_cache_lookups_total", dimensions: [("result", "miss")], factory: factory).increment(by: misses)
        lock.lock()
        cacheHits += hits
        cacheLookups += hits + misses
        let ratio = cacheLookups == 0 ? 0 : Double(cacheHits) / Double(cacheLookups)
        lock.unlock()
        Gauge(label: "csanmt_cache_hit_ratio", factory: factory).record(ratio)
    }

    /// Audit lines dropped: the writer's queue was full (a stalled pipe or disk) or a write failed.
    public func auditDropped(_ count: Int) {
        Counter(label: "csanmt_audit_dropped_lines_total", factory: factory).increment(by: count)
    }

    public func redis(up: Bool) {
        Gauge(label: "csanmt_redis_up", factory: factory).record(up ? 1 : 0)
    }

    // MARK: SchedulerObserver

    public func queueDepth(_ sentences: Int) {
        Gauge(label: "csanmt_queue_depth_sentences", factory: factory).record(sentences)
    }

    public func batchRan(sentences: Int, sourceTokens: Int, outputTokens: Int, seconds: Double) {
        Recorder(label: "csanmt_batch_sentences", factory: factory).record(sentences)
        Counter(label: "csanmt_translated_sentences_total", factory: factory).increment(by: sentences)
        Counter(label: "csanmt_output_tokens_total", factory: factory).increment(by: outputTokens)
        FloatingPointCounter(label: "csanmt_engine_seconds_total", factory: factory).increment(by: seconds)
        if seconds > 0 {
            Gauge(label: "csanmt_tokens_per_second", factory: factory).record(Double(outputTokens) / seconds)
        }
    }

    public func engineTime(tenant: String, seconds: Double) {
        FloatingPointCounter(label: "csanmt_tenant_engine_seconds_total", dimensions: [("tenant", tenant)], factory: factory)
            .increment(by: seconds)
        engineMeter.add(tenant: tenant, seconds: seconds)
    }

    public func queueWait(tenant: String, seconds: Double) {
        Metrics.Timer(label: "csanmt_queue_wait_seconds", dimensions: [("tenant", tenant)], factory: factory)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    /// Chunks whose decoding ran out of steps before `</s>` (their texts are flagged `truncated`).
    public func truncated(chunks: Int) {
        Counter(label: "csanmt_truncated_chunks_total", factory: factory).increment(by: chunks)
    }

    public func sentencesDropped(_ count: Int) {
        Counter(label: "csanmt_sentences_dropped_total", factory: factory).increment(by: count)
    }
}
