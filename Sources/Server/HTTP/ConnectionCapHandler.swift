import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// How many connections are open, against `max_connections`. Shared by every connection of the listener.
public final class ConnectionLimit: @unchecked Sendable {
    public let max: Int
    private let lock = NSLock()
    private var open = 0

    public init(max: Int) { self.max = max }

    /// Counts a new connection; false when the cap is reached (the connection is then not counted).
    func tryAcquire() -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard open < max else { return false }
        open += 1
        return true
    }

    func release() { lock.lock(); open -= 1; lock.unlock() }

    /// Connections open now.
    public var current: Int { lock.lock(); defer { lock.unlock() }; return open }
}

/// First of the per-connection handlers: a connection over ``ConnectionLimit/max`` gets a `503` with
/// `Connection: close` to its first request and is closed, without reaching the router, so a flood of connections
/// cannot take the memory and file descriptors that the clients within the cap need. (It still costs the accept
/// and a descriptor until the answer; the header timeout bounds a flood that sends nothing.)
final class ConnectionCapHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let limit: ConnectionLimit
    private var admitted = false
    private var answered = false

    init(limit: ConnectionLimit) { self.limit = limit }

    func handlerAdded(context: ChannelHandlerContext) {
        admitted = limit.tryAcquire()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if admitted { limit.release(); admitted = false }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !admitted else { context.fireChannelRead(data); return }
        guard case .head = unwrapInboundIn(data), !answered else { return }
        answered = true
        var fields = HTTPFields()
        fields[.connection] = "close"
        fields[.retryAfter] = "1"
        fields[.contentType] = "application/json; charset=utf-8"
        let body = #"{"error":{"code":"too_many_connections","message":"the server has as many connections open as it allows; retry in 1 s"}}"#
        fields[.contentLength] = String(body.utf8.count)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .serviceUnavailable, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(string: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
