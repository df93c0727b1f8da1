import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// A child channel that speaks TLS with whatever certificate ``TLSCertificates`` holds when the connection opens,
/// then hands the decrypted stream to the HTTP channel it wraps (the way HummingbirdTLS's `TLSChannel` does, but
/// with a certificate that can change while the server runs).
struct ReloadableTLSChannel<Base: HTTPChannelHandler>: HTTPChannelHandler {
    typealias Value = Base.Value
    let base: Base
    let certificates: TLSCertificates

    var responder: HTTPChannelHandler.Responder { base.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: certificates.context))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Base.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPChannelHandler {
    /// This channel behind TLS (opens the existential that `HTTPServerBuilder` hands over).
    func behindTLS(_ certificates: TLSCertificates) -> any HTTPChannelHandler {
        ReloadableTLSChannel(base: self, certificates: certificates)
    }
}
