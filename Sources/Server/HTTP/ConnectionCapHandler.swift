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

/// First of the per-connection handlers: a connection over ``ConnectionLimit/max`` gets a `503`
/// `too_many_connections` with `Connection: close` to its first request and is closed, without reaching the router, so a flood of connections
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
        guard case .head(let head) = unwrapInboundIn(data), !answered else { return }
        answered = true
        var error = APIError(.serviceUnavailable, "too_many_connections",
                             "the server has as many connections open as it allows; retry in 1 s")
        error.extraHeaders[.retryAfter] = "1"
        // In the shape of the API the client called (a DeepL client expects DeepL's errors).
        writeAndClose(context, APIFamily(path: head.path ?? "/"), error, self)
    }
}

/// Writes `error` as the whole answer of a connection, with `Connection: close` and a request id, then closes it.
/// For handlers below the router, which answer before (or instead of) it.
func writeAndClose<H: ChannelOutboundHandler>(_ context: ChannelHandlerContext, _ family: APIFamily, _ error: APIError, _ handler: H)
    where H.OutboundOut == HTTPResponsePart {
    guard let (status, rendered, body) = try? family.renderParts(error) else { context.close(promise: nil); return }
    var fields = rendered
    fields[.connection] = "close"
    fields[.contentLength] = String(body.count)
    fields[.xRequestID] = "req_" + APIKeyCodec.randomBase62(16)
    context.write(handler.wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
    context.write(handler.wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
    context.writeAndFlush(handler.wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
}
