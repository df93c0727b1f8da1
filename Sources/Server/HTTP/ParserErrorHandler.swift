import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// A request the HTTP parser cannot read (a head over 80 KiB, a malformed request line or header) gets a JSON error
/// with a request id, like every other error, instead of Hummingbird's bare `400`: 431 `request_head_too_large`
/// for an oversized head (a URL or headers too long), else 400 `malformed_request`. Then the connection closes (the
/// parser cannot find where the next request would start).
final class ParserErrorHandler: ChannelInboundHandler, ChannelOutboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var responding = false   // a response has started: a second one cannot be sent

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let parserError = error as? HTTPParserError else { context.fireErrorCaught(error); return }
        guard !responding else { context.close(promise: nil); return }
        responding = true
        let apiError = parserError == .headerOverflow
            ? APIError(HTTPResponse.Status(code: 431, reasonPhrase: "Request Header Fields Too Large"), "request_head_too_large",
                       "the request line and headers exceed 80 KiB; send long texts in a POST body")
            : APIError(.badRequest, "malformed_request", "the request is not valid HTTP/1.1")
        writeAndClose(context, .native, apiError, self)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head = unwrapOutboundIn(data) { responding = true }
        if case .end = unwrapOutboundIn(data) { responding = false }
        context.write(data, promise: promise)
    }
}
