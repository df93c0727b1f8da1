import Foundation
import NIOSSL

/// The server's certificate and key, read from PEM files and swapped on ``reload()`` (SIGHUP): new connections
/// get the new certificate, connections already open keep theirs.
///
/// TLS 1.2 is the minimum. For TLS 1.2 only ECDHE key exchange with AEAD ciphers (AES-GCM, ChaCha20-Poly1305) is
/// offered (Mozilla's "intermediate" profile); TLS 1.3's suites are all modern and not configurable in BoringSSL.
public final class TLSCertificates: @unchecked Sendable {
    public let certificatePath: String
    public let keyPath: String
    private let lock = NSLock()
    private var current: NIOSSLContext

    static let ciphers: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    /// Reads both files now; throws naming the file at fault.
    public init(certificatePath: String, keyPath: String) throws {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        current = try Self.load(certificatePath: certificatePath, keyPath: keyPath)
    }

    /// The context for a new connection.
    var context: NIOSSLContext { lock.lock(); defer { lock.unlock() }; return current }

    /// Reads the files again and, if they are valid, serves them to new connections. On failure the old
    /// certificate stays in use and the error is thrown (the caller logs it).
    public func reload() throws {
        let fresh = try Self.load(certificatePath: certificatePath, keyPath: keyPath)
        lock.lock()
        current = fresh
        lock.unlock()
    }

    static func load(certificatePath: String, keyPath: String) throws -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificatePath) } catch {
            throw StoreError.invalid("cannot read the TLS certificate \(certificatePath): \(error)")
        }
        guard !chain.isEmpty else { throw StoreError.invalid("no certificate in \(certificatePath)") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: keyPath, format: .pem) } catch {
            throw StoreError.invalid("cannot read the TLS private key \(keyPath): \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                     privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.cipherSuiteValues = ciphers
        do { return try NIOSSLContext(configuration: configuration) } catch {
            throw StoreError.invalid("the TLS certificate \(certificatePath) and key \(keyPath) do not make a usable pair: \(error)")
        }
    }
}
