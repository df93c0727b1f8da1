import Foundation
import FuzzSupport
@testable import Server

/// Any bytes as a request body, through the decoders every route uses: the closed JSON bodies of the native API
/// (``decodeJSONBody(_:from:)``) and the drop-in APIs' parameters (``CompatParameters/parse(query:body:contentType:)``)
/// with their language codes. Invariants: a failure is a 4xx `APIError` (or the `StoreError.invalid` a field's type raised),
/// never another error; a decoded translate request re-encodes to the same request; parsed form parameters
/// survive a round trip through percent-encoding.
///
/// The first byte picks the decoder; the rest is the body.

/// Fails the run unless `error` is one a route maps to a 4xx answer.
func check(_ error: Error, _ what: String) {
    switch error {
    case let e as APIError:
        precondition((400..<500).contains(e.status.code), "\(what): \(e.status.code) \(e.code) for a client's bytes")
    case StoreError.invalid:
        break   // a value a field's type refused: a 400 with its message
    default:
        preconditionFailure("\(what): unexpected \(type(of: error)): \(error)")
    }
}

func decode<T: Decodable>(_ type: T.Type, _ body: Data) -> T? {
    do { return try decodeJSONBody(T.self, from: body) } catch { check(error, "\(T.self)"); return nil }
}

/// The native translate body: decoded, then encoded again and decoded, it must be the same request.
func translateRequest(_ body: Data) {
    guard let request = decode(TranslateRequest.self, body) else { return }
    var object: [String: Any] = [:]
    switch request.text {
    case .single(let s): object["text"] = s
    case .batch(let a): object["text"] = a
    }
    if let s = request.source { object["source"] = s }
    if let t = request.target { object["target"] = t }
    let again = try! JSONSerialization.data(withJSONObject: object)
    let back = try! decodeJSONBody(TranslateRequest.self, from: again)
    precondition(back.text == request.text && back.source == request.source && back.target == request.target,
                 "a translate request changed through a round trip")
}

/// Every value must come back the same from a form that percent-encodes it.
let formSafe = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
func compat(_ body: Data, json: Bool) {
    let parameters: CompatParameters
    do {
        parameters = try CompatParameters.parse(query: nil, body: body, contentType: json ? "application/json" : "application/x-www-form-urlencoded")
    } catch { check(error, "CompatParameters"); return }
    for family in [APIFamily.deepl, .google, .libretranslate] {
        for name in ["source_lang", "target_lang", "source", "target"] {
            guard let code = parameters.first(name) else { continue }
            do { _ = try LanguageCodes.require(code, parameter: name, family, served: ["zh", "en"]) } catch { check(error, "LanguageCodes") }
        }
    }
    guard !json else { return }
    // Each name gets `[]` (which parsing strips once), so a name that itself ends in `[]` survives too.
    var form: [String] = []
    for (name, values) in parameters.values.sorted(by: { $0.key < $1.key }) {
        for v in values {
            form.append(name.addingPercentEncoding(withAllowedCharacters: formSafe)! + "%5B%5D=" + v.addingPercentEncoding(withAllowedCharacters: formSafe)!)
        }
    }
    let again = try! CompatParameters.parse(query: nil, body: Data(form.joined(separator: "&").utf8), contentType: nil)
    precondition(again.values == parameters.values, "form parameters changed through a round trip")
}

runFuzzer { data, size in
    let input = bytes(data, size)
    guard let selector = input.first else { return 0 }
    let body = Data(input.dropFirst())
    switch selector % 10 {
    case 0, 1: translateRequest(body)
    case 2: _ = decode(TokenRequest.self, body)
    case 3: _ = decode(OperatorTokenRequest.self, body)
    case 4: _ = decode(CreateTenantBody.self, body)
    case 5: _ = decode(UpdateTenantBody.self, body)
    case 6: _ = decode(CreateKeyBody.self, body)
    case 7: _ = decode(UpdateKeyBody.self, body)
    case 8: compat(body, json: false)
    default: compat(body, json: true)
    }
    return 0
}
