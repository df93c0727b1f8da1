import Foundation
import Hummingbird
import NIOCore

/// Per-request state shared by the middlewares and handlers.
public struct AppContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The TCP peer (a proxy when behind one; see ``ClientAddressResolver``).
    public let remoteAddress: SocketAddress?
    /// Set by the authentication middleware.
    public var principal: Principal?
    /// The tenant caller, if the caller is one (nil for an operator).
    public var identity: Identity? {
        if case .tenant(let identity) = principal { return identity }
        return nil
    }
    /// Filled in along the way; written as one audit line when the request ends.
    public let audit = AuditState()
    /// The connection behind the connection guard: tells the request when its client leaves (nil in-process).
    public let connection: ClientConnection?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        connection = ClientConnection.of(source.channel)
    }
}

/// Mutable audit fields of one request (a reference, so every middleware sees the same record).
public final class AuditState: @unchecked Sendable {
    private let lock = NSLock()
    private var _requestID = ""
    private var _clientIP: String?
    private var _tenant: Tenant?
    private var _keyID: String?
    private var _operatorID: String?
    private var _targetTenant: String?
    private var _characters: Int?
    private var _action: String?
    private var _target: String?
    private var _cache: String?
    private var _truncated: Int?
    private var _changes: [String: FieldChange]?

    func with<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    public var requestID: String { get { with { _requestID } } set { with { _requestID = newValue } } }
    public var clientIP: String? { get { with { _clientIP } } set { with { _clientIP = newValue } } }
    public var tenant: Tenant? { get { with { _tenant } } set { with { _tenant = newValue } } }
    public var keyID: String? { get { with { _keyID } } set { with { _keyID = newValue } } }
    /// The operator who called (operator tokens).
    public var operatorID: String? { get { with { _operatorID } } set { with { _operatorID = newValue } } }
    /// The tenant an admin action concerns (its admins see the line in their audit view).
    public var targetTenant: String? { get { with { _targetTenant } } set { with { _targetTenant = newValue } } }
    public var characters: Int? { get { with { _characters } } set { with { _characters = newValue } } }
    public var action: String? { get { with { _action } } set { with { _action = newValue } } }
    public var target: String? { get { with { _target } } set { with { _target = newValue } } }
    public var cache: String? { get { with { _cache } } set { with { _cache = newValue } } }
    /// Texts of the answer whose translation was cut.
    public var truncated: Int? { get { with { _truncated } } set { with { _truncated = newValue } } }
    /// Admin writes: what changed (``FieldChange/diff(_:_:ignoring:)``).
    public var changes: [String: FieldChange]? { get { with { _changes } } set { with { _changes = newValue } } }
}
