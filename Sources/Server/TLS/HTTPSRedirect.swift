import Foundation
import Hummingbird

extension ServerApp {
    /// The `--redirect-http` listener: every request gets `308 Permanent Redirect` to the same path on HTTPS (308
    /// keeps the method and body, so an API client that posts to http:// is sent on rather than broken).
    public static func makeRedirectRouter(httpsPort: Int) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: HTTPSRedirectMiddleware(httpsPort: httpsPort))
        return router
    }
}

struct HTTPSRedirectMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let httpsPort: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The host the client asked for, without its port; a Host that is not a plain name or address is refused,
        // so the redirect can only point where the client already was.
        let host = (request.head.authority ?? "").split(separator: ":").first.map(String.init) ?? ""
        guard !host.isEmpty, host.utf8.allSatisfy({ $0 < 0x80 && (isalnum(Int32($0)) != 0 || $0 == 0x2E || $0 == 0x2D) }) else {
            return Response(status: .badRequest)
        }
        let port = httpsPort == 443 ? "" : ":\(httpsPort)"
        var headers = HTTPFields()
        headers[.location] = "https://\(host)\(port)\(request.uri.path)\(request.uri.query.map { "?\($0)" } ?? "")"
        return Response(status: .permanentRedirect, headers: headers)
    }
}
