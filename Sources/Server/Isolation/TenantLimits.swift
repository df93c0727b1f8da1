import Foundation

/// A tenant's own scheduling weight and limits. Each field left nil takes the server's default
/// (``IsolationDefaults``), so changing a default reaches every tenant that did not set its own value.
/// Stored as JSON in the tenant's row.
public struct TenantLimits: Codable, Sendable, Equatable {
    /// Share of the engine under contention (1-100): weight 2 gets twice the share of weight 1.
    public var weight: Int?
    /// Requests of this tenant being handled at once on one replica.
    public var maxInFlight: LimitValue?
    /// Sentences of this tenant waiting for the engine on one replica.
    public var maxQueuedSentences: LimitValue?
    /// Sustained requests per second, shared by every replica.
    public var requestsPerSecond: LimitValue?
    /// Requests that may arrive at once on top of the sustained rate.
    public var burst: Int?
    /// Characters per minute (Unicode code points), shared by every replica.
    public var charactersPerMinute: LimitValue?

    public init(weight: Int? = nil, maxInFlight: LimitValue? = nil, maxQueuedSentences: LimitValue? = nil,
                requestsPerSecond: LimitValue? = nil, burst: Int? = nil, charactersPerMinute: LimitValue? = nil) {
        self.weight = weight
        self.maxInFlight = maxInFlight
        self.maxQueuedSentences = maxQueuedSentences
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.charactersPerMinute = charactersPerMinute
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case weight, burst
        case maxInFlight = "max_in_flight", maxQueuedSentences = "max_queued_sentences"
        case requestsPerSecond = "requests_per_second", charactersPerMinute = "characters_per_minute"
    }

    /// Range checks, naming the field at fault.
    public func validate() throws {
        if let w = weight, !(1...100).contains(w) { throw StoreError.invalid("weight must be 1-100") }
        if let b = burst, !(1...1_000_000).contains(b) { throw StoreError.invalid("burst must be 1-1000000") }
        for (name, v) in [("max_in_flight", maxInFlight), ("max_queued_sentences", maxQueuedSentences),
                          ("requests_per_second", requestsPerSecond), ("characters_per_minute", charactersPerMinute)] {
            if let n = v?.number, !(1...1_000_000_000).contains(n) {
                throw StoreError.invalid("\(name) must be a number ≥ 1 or \"unlimited\"")
            }
        }
    }

    /// The values in force: this tenant's own, else the server's defaults.
    public func resolved(_ d: IsolationDefaults) -> EffectiveLimits {
        EffectiveLimits(weight: weight ?? d.weight,
                        maxInFlight: maxInFlight.map(\.number) ?? d.maxInFlight,
                        maxQueuedSentences: maxQueuedSentences.map(\.number) ?? d.maxQueuedSentences,
                        requestsPerSecond: requestsPerSecond.map(\.number) ?? d.requestsPerSecond,
                        burst: burst ?? d.burst,
                        charactersPerMinute: charactersPerMinute.map(\.number) ?? d.charactersPerMinute)
    }
}

/// Changes to a ``TenantLimits``: a field set to `.some(nil)` goes back to the server default, nil leaves it.
public struct TenantLimitChanges: Sendable, Equatable {
    public var weight: Int??
    public var maxInFlight: LimitValue??
    public var maxQueuedSentences: LimitValue??
    public var requestsPerSecond: LimitValue??
    public var burst: Int??
    public var charactersPerMinute: LimitValue??
    public init(weight: Int?? = nil, maxInFlight: LimitValue?? = nil, maxQueuedSentences: LimitValue?? = nil,
                requestsPerSecond: LimitValue?? = nil, burst: Int?? = nil, charactersPerMinute: LimitValue?? = nil) {
        self.weight = weight
        self.maxInFlight = maxInFlight
        self.maxQueuedSentences = maxQueuedSentences
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.charactersPerMinute = charactersPerMinute
    }

    public func applied(to l: TenantLimits) -> TenantLimits {
        var r = l
        if let v = weight { r.weight = v }
        if let v = maxInFlight { r.maxInFlight = v }
        if let v = maxQueuedSentences { r.maxQueuedSentences = v }
        if let v = requestsPerSecond { r.requestsPerSecond = v }
        if let v = burst { r.burst = v }
        if let v = charactersPerMinute { r.charactersPerMinute = v }
        return r
    }

    /// Decodes a JSON object where a present key replaces the override and `null` resets it. Unknown keys are
    /// errors (a misspelt limit must not be ignored).
    init(from decoder: Decoder, _ c: KeyedDecodingContainer<TenantLimits.CodingKeys>) throws {
        let known = Set(TenantLimits.CodingKeys.allCases.map(\.rawValue))
        if let unknown = try decoder.container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue).first(where: { !known.contains($0) }) {
            throw StoreError.invalid("unknown limit '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        func limit(_ k: TenantLimits.CodingKeys) throws -> LimitValue?? {
            guard c.contains(k) else { return nil }
            return .some(try c.decodeNil(forKey: k) ? nil : try c.decode(LimitValue.self, forKey: k))
        }
        func int(_ k: TenantLimits.CodingKeys) throws -> Int?? {
            guard c.contains(k) else { return nil }
            return .some(try c.decodeNil(forKey: k) ? nil : try c.decode(Int.self, forKey: k))
        }
        self.init(weight: try int(.weight), maxInFlight: try limit(.maxInFlight), maxQueuedSentences: try limit(.maxQueuedSentences),
                  requestsPerSecond: try limit(.requestsPerSecond), burst: try int(.burst),
                  charactersPerMinute: try limit(.charactersPerMinute))
    }
}

extension TenantLimitChanges: Decodable {
    public init(from decoder: Decoder) throws {
        try self.init(from: decoder, try decoder.container(keyedBy: TenantLimits.CodingKeys.self))
    }
}

/// A tenant's weight and limits after defaults; nil = unlimited.
public struct EffectiveLimits: Sendable, Equatable, Encodable {
    public var weight: Int
    public var maxInFlight: Int?
    public var maxQueuedSentences: Int?
    public var requestsPerSecond: Int?
    public var burst: Int
    public var charactersPerMinute: Int?

    public init(weight: Int, maxInFlight: Int?, maxQueuedSentences: Int?, requestsPerSecond: Int?, burst: Int,
                charactersPerMinute: Int?) {
        self.weight = weight
        self.maxInFlight = maxInFlight
        self.maxQueuedSentences = maxQueuedSentences
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.charactersPerMinute = charactersPerMinute
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: TenantLimits.CodingKeys.self)
        func put(_ v: Int?, _ k: TenantLimits.CodingKeys) throws { try c.encode(v.map(LimitValue.value) ?? .unlimited, forKey: k) }
        try c.encode(weight, forKey: .weight)
        try c.encode(burst, forKey: .burst)
        try put(maxInFlight, .maxInFlight)
        try put(maxQueuedSentences, .maxQueuedSentences)
        try put(requestsPerSecond, .requestsPerSecond)
        try put(charactersPerMinute, .charactersPerMinute)
    }
}

/// The server-wide defaults of ``TenantLimits`` (settings `tenant_*`; 0 = unlimited). Finite out of the box:
/// a new tenant cannot take the whole service until an operator says so.
public struct IsolationDefaults: Sendable, Equatable {
    public var weight = 1
    public var maxInFlight: Int? = 4
    public var maxQueuedSentences: Int? = 256
    public var requestsPerSecond: Int? = 10
    public var burst = 20
    public var charactersPerMinute: Int? = 100_000
    public init() {}
}

/// A key's own rate limits, on top of its tenant's (nil fields: the key is bound only by the tenant's limits).
public struct KeyLimits: Codable, Sendable, Equatable {
    public var requestsPerSecond: Int?
    /// Defaults to twice `requestsPerSecond`.
    public var burst: Int?
    public var charactersPerMinute: Int?

    public init(requestsPerSecond: Int? = nil, burst: Int? = nil, charactersPerMinute: Int? = nil) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.charactersPerMinute = charactersPerMinute
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case requestsPerSecond = "requests_per_second", burst, charactersPerMinute = "characters_per_minute"
    }

    /// Refuses unknown names, as a tenant's limits do.
    public init(from decoder: Decoder) throws {
        try rejectUnknownFields(decoder, known: CodingKeys.allCases.map(\.rawValue), in: "limits")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requestsPerSecond = try c.decodeIfPresent(Int.self, forKey: .requestsPerSecond)
        burst = try c.decodeIfPresent(Int.self, forKey: .burst)
        charactersPerMinute = try c.decodeIfPresent(Int.self, forKey: .charactersPerMinute)
    }

    public func validate() throws {
        for (name, v) in [("requests_per_second", requestsPerSecond), ("burst", burst), ("characters_per_minute", charactersPerMinute)] {
            if let v, !(1...1_000_000_000).contains(v) { throw StoreError.invalid("key \(name) must be ≥ 1 (or absent for none)") }
        }
    }
}
