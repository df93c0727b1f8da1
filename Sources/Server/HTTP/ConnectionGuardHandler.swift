import Foundation
import NIOCore
import NIOHTTPTypes

/// Per-connection deadlines and disconnect detection, in the channel pipeline after HTTP decoding.
///
/// - The request head must arrive within `headerTimeout` of the connection opening (`idleTimeout` between keep-alive
///   requests), and the body within `bodyTimeout` of the head, so slow-loris clients cannot hold connections.
/// - A client that closes its side while a request of its is being processed is gone: the request's work is
///   cancelled through its ``ClientConnection`` (queued sentences are dropped) and the connection is closed. (A client
///   that half-closes and still waits for the answer is treated the same way; HTTP clients do not do that in practice.)
///
/// Requests and responses are counted rather than paired, because Hummingbird may answer (e.g. 401) before it has
/// read the whole body, and a client may pipeline.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let headerTimeout: TimeAmount
    let bodyTimeout: TimeAmount
    let idleTimeout: TimeAmount
    private var timer: Scheduled<Void>?
    private var heads = 0          // request heads received
    private var responses = 0      // responses finished
    private var readingBody = false
    private var connection: ClientConnection?

    init(headerTimeout: TimeAmount, bodyTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connection = ClientConnection.register(context.channel)
        if context.channel.isActive { arm(context, headerTimeout) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
        ClientConnection.unregister(context.channel)
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context, headerTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        connection?.clientGone()
        ClientConnection.unregister(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            heads += 1
            readingBody = true
            arm(context, bodyTimeout)
        case .body:
            break
        case .end:
            readingBody = false
            // Working on it: no deadline here (the translation has its own). Already answered: wait for the next head.
            if heads > responses { disarm() } else { arm(context, idleTimeout) }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            responses += 1
            if heads <= responses && !readingBody { arm(context, idleTimeout) }
        }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed, heads > responses {
            connection?.clientGone()   // the client left while we were working for it
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func arm(_ context: ChannelHandlerContext, _ after: TimeAmount) {
        disarm()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: after) { channel.close(promise: nil) }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}

/// What a request handler knows about its connection: "tell me if the client leaves". One hook at a time (the
/// current request's), so a long keep-alive connection accumulates nothing.
public final class ClientConnection: @unchecked Sendable {
    private let lock = NSLock()
    private var onGone: (@Sendable () -> Void)?
    private var gone = false

    /// Runs `hook` when the client leaves (at once if it already has) until `clear()`.
    public func onClientGone(_ hook: @escaping @Sendable () -> Void) {
        lock.lock()
        if gone { lock.unlock(); hook(); return }
        onGone = hook
        lock.unlock()
    }

    public func clear() {
        lock.lock()
        onGone = nil
        lock.unlock()
    }

    func clientGone() {
        lock.lock()
        gone = true
        let hook = onGone
        onGone = nil
        lock.unlock()
        hook?()
    }

    // Channels have no attached storage, so live connections are found by channel identity.
    private static let lock = NSLock()
    nonisolated(unsafe) private static var live: [ObjectIdentifier: ClientConnection] = [:]

    static func register(_ channel: Channel) -> ClientConnection {
        let c = ClientConnection()
        lock.lock()
        live[ObjectIdentifier(channel)] = c
        lock.unlock()
        return c
    }

    static func unregister(_ channel: Channel) {
        lock.lock()
        live[ObjectIdentifier(channel)] = nil
        lock.unlock()
    }

    /// The connection of `channel`, when it runs behind the guard (not in in-process tests).
    static func of(_ channel: Channel) -> ClientConnection? {
        lock.lock()
        defer { lock.unlock() }
        return live[ObjectIdentifier(channel)]
    }
}
