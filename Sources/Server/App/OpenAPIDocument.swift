import Foundation

/// The OpenAPI 3.1 description of the API (`Sources/Server/Resources/openapi.json`), served at `/openapi.json`.
public enum OpenAPIDocument {
    public static let json: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            return #"{"openapi": "3.1.0", "info": {"title": "csanmt", "version": "unavailable"}, "paths": {}}"#
        }
        return text
    }()
}
