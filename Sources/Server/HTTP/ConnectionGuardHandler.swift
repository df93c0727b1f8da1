import NIOCore
import NIOHTTPTypes

/// Per-connection deadlines and disconnect detection, in the channel pipeline after HTTP decoding.
///
/// - The request head must arrive within `headerTimeout` of the connection opening (`idleTimeout` between keep-alive
///   requests), and the body within `bodyTimeout` of the head, so slow-loris clients cannot hold connections.
/// - A client that closes its side while its request is being processed is gone: the connection is closed, which
///   cancels the request's work (``AppContext/closeFuture``) and drops its queued sentences. (A client that
///   half-closes and still waits for the answer is treated the same way; HTTP clients do not do that in practice.)
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let headerTimeout: TimeAmount
    let bodyTimeout: TimeAmount
    let idleTimeout: TimeAmount
    private var timer: Scheduled<Void>?
    private var processing = false

    init(headerTimeout: TimeAmount, bodyTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, headerTimeout) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelActive(context: ChannelHandlerContext) {
        arm(context, headerTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: arm(context, bodyTimeout)
        case .body: break
        case .end:
            disarm()
            processing = true
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            processing = false
            arm(context, idleTimeout)
        }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed, processing {
            context.close(promise: nil)   // the client left while we were working for it
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
