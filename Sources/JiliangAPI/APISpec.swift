import Foundation

/// The OpenAPI document that is the contract of `/api/v1`, served verbatim at `/api/v1/openapi.yaml`.
public enum APISpec {
    public static func yaml() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
