import Hummingbird

/// CORS for an explicit allow-list of origins (no wildcard): allowed origins get the CORS headers and their
/// preflight requests are answered; other origins get no CORS headers, so browsers block them.
struct CORSAllowListMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let origins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains(origin) else {
            return try await next(request, context)
        }
        var response: Response
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            response = Response(status: .noContent)
            response.headers[.accessControlAllowMethods] = "GET, POST, PATCH, DELETE, OPTIONS"
            response.headers[.accessControlAllowHeaders] = "Authorization, Content-Type"
            response.headers[.accessControlMaxAge] = "600"
        } else {
            do {
                response = try await next(request, context)
            } catch {
                // Errors need the CORS headers too, or the browser hides the status from the page.
                response = try RequestAuditMiddleware.apiError(for: error).response(from: request, context: context)
            }
        }
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.vary] = "Origin"
        response.headers[.accessControlExposeHeaders] = "X-Request-Id, Retry-After"
        return response
    }
}
