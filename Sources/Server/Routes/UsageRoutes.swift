import Foundation
import Hummingbird

/// One counter against its limit (nil = unlimited).
struct UsageCounter: Codable, Sendable, Equatable {
    let used: Int
    let limit: Int?
}

/// `GET /api/v1/usage`.
struct UsageResponse: Encodable, Sendable {
    let tenantID: String
    let date: String
    let resetsAt: Date
    let requests: UsageCounter
    let characters: UsageCounter
    let maxCharactersPerRequest: Int
    let maxSentencesPerRequest: Int
    /// Engine time spent on this tenant's sentences today, in milliseconds.
    let engineMilliseconds: Int
    /// Weight and short-window limits in force.
    let limits: EffectiveLimits
    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", date, resetsAt = "resets_at", requests, characters, limits
        case maxCharactersPerRequest = "max_characters_per_request", maxSentencesPerRequest = "max_sentences_per_request"
        case engineMilliseconds = "engine_ms"
    }
}

/// `GET /api/v1/admin/usage`: every tenant's counts today.
struct TenantUsageList: Encodable, Sendable {
    struct Row: Encodable, Sendable {
        let tenantID: String
        let requests: Int
        let characters: Int
        let dailyRequests: Int?
        let dailyCharacters: Int?
        let engineMilliseconds: Int
        enum CodingKeys: String, CodingKey {
            case tenantID = "tenant_id", requests, characters, dailyRequests = "daily_requests", dailyCharacters = "daily_characters"
            case engineMilliseconds = "engine_ms"
        }
    }
    let date: String
    let resetsAt: Date
    let tenants: [Row]
    enum CodingKeys: String, CodingKey { case date, resetsAt = "resets_at", tenants }
}

struct AuditEventList: Encodable, Sendable { let events: [AuditEvent] }

extension ServerApp {
    /// `GET /api/v1/usage` (scope `usage:read`).
    static func addUsageRoutes(_ router: RouterGroup<AppContext>, _ env: ServerEnvironment) {
        router.get("usage") { _, context -> JSONResponse<UsageResponse> in
            let identity = try context.require(.usageRead)
            let day = UsageDay(env.now())
            await storeEngineTime(env, day: day)
            let used = try await env.quota.usage(tenants: [identity.tenant.id], day: day)[identity.tenant.id] ?? QuotaUsage()
            return JSONResponse(UsageResponse(
                tenantID: identity.tenant.id, date: day.key, resetsAt: day.resetsAt,
                requests: .init(used: used.requests, limit: identity.tenant.dailyRequests),
                characters: .init(used: used.characters, limit: identity.tenant.dailyCharacters),
                maxCharactersPerRequest: env.config.maxCharacters, maxSentencesPerRequest: env.config.maxSentencesPerRequest,
                engineMilliseconds: used.engineMilliseconds, limits: identity.tenant.limits.resolved(env.isolationDefaults)))
        }
    }

    /// `GET /api/v1/admin/usage` and `GET /api/v1/admin/audit?tenant=&limit=`: every tenant for operators, its own
    /// for a tenant admin.
    static func addAdminReportRoutes(_ router: RouterGroup<AppContext>, _ env: ServerEnvironment) {
        router.get("usage") { _, context -> JSONResponse<TenantUsageList> in
            context.audit.action = "usage.list"
            let tenants = try await context.listedTenants(env.store)
            let day = UsageDay(env.now())
            await storeEngineTime(env, day: day)
            let used = try await env.quota.usage(tenants: tenants.map(\.id), day: day)
            return JSONResponse(TenantUsageList(date: day.key, resetsAt: day.resetsAt, tenants: tenants.map { t in
                let u = used[t.id] ?? QuotaUsage()
                return .init(tenantID: t.id, requests: u.requests, characters: u.characters,
                             dailyRequests: t.dailyRequests, dailyCharacters: t.dailyCharacters,
                             engineMilliseconds: u.engineMilliseconds)
            }))
        }
        router.get("audit") { request, context -> JSONResponse<AuditEventList> in
            context.audit.action = "audit.list"
            let asked = request.uri.queryParameters.get("tenant").flatMap { $0.isEmpty ? nil : String($0) }
            context.audit.target = asked
            let tenant = try context.listedTenant(asked: asked)
            let limitText = request.uri.queryParameters.get("limit") ?? "100"
            guard let limit = Int(limitText), (1...1_000).contains(limit) else { throw APIError.badRequest("'limit' must be 1-1000") }
            return JSONResponse(AuditEventList(events: try await env.audit?.recentEvents(tenant: tenant, limit: limit) ?? []))
        }
    }
}
