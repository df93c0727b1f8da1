import Foundation
import Hummingbird

/// The web UI: `index.html` at `/`, its other files at `/ui/<name>`. Plain files shipped in the binary's resource
/// bundle (`Sources/Server/Resources/web`), no CDN; `web_root` serves them from a folder instead (UI development).
struct WebAssets: Sendable {
    let files: [String: (type: String, data: Data)]
    let folder: URL?

    /// Loads the bundled files once; with `root`, reads from that folder on each request instead.
    init(root: String?) {
        if let root {
            folder = URL(fileURLWithPath: root, isDirectory: true)
            files = [:]
            return
        }
        folder = nil
        var loaded: [String: (String, Data)] = [:]
        if let dir = Bundle.module.url(forResource: "web", withExtension: nil, subdirectory: "Resources"),
           let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) {
            for name in names {
                guard let type = Self.contentType(name), let data = try? Data(contentsOf: dir.appendingPathComponent(name)) else { continue }
                loaded[name] = (type, data)
            }
        }
        files = loaded
    }

    static func contentType(_ name: String) -> String? {
        switch (name as NSString).pathExtension {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        case "json": return "application/json"
        default: return nil
        }
    }

    /// A file by its plain name (no paths: `..` and `/` never reach the disk).
    func file(_ name: String) -> (type: String, data: Data)? {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !name.hasPrefix("."),
              let type = Self.contentType(name) else { return nil }
        if let folder {
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)) else { return nil }
            return (type, data)
        }
        return files[name]
    }
}

extension ServerApp {
    static func addWebRoutes(_ router: Router<AppContext>, _ env: ServerEnvironment) {
        let assets = WebAssets(root: env.config.webRoot)
        @Sendable func serve(_ name: String) throws -> Response {
            guard let f = assets.file(name) else { throw APIError.notFound("no such file: \(name)") }
            var headers = HTTPFields()
            headers[.contentType] = f.type
            // The HTML is small and must never be stale after an upgrade; the same holds for the scripts it names.
            headers[.cacheControl] = "no-cache"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: f.data)))
        }
        router.get("/") { _, _ in try serve("index.html") }
        router.get("ui/:file") { _, context in try serve(context.parameters.get("file") ?? "") }
    }
}
