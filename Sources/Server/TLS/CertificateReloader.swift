import Dispatch
import Foundation

/// Reloads ``TLSCertificates`` on SIGHUP (`kill -HUP`, `systemctl reload`), reporting each attempt.
final class CertificateReloader: @unchecked Sendable {
    private let source: DispatchSourceSignal

    init(_ certificates: TLSCertificates, report: @escaping @Sendable (Error?) -> Void) {
        signal(SIGHUP, SIG_IGN)   // handled by the dispatch source, not by the default action (which ends the process)
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            do {
                try certificates.reload()
                report(nil)
            } catch {
                report(error)
            }
        }
        source.resume()
    }

    func cancel() { source.cancel() }
}
