import Foundation
import HTTPTypes
import Hummingbird

/// The bearer tokens the API accepts, checked in constant time.
///
/// Several tokens are accepted at once so that a token can be rotated: add the new one, move clients, remove the
/// old one. With no token configured every request is refused, and the answer says so.
struct BearerTokens: Sendable {
    private let tokens: [[UInt8]]

    /// The tokens; empty ones are ignored.
    init(_ tokens: [String]) {
        self.tokens = tokens.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// Whether any token is configured.
    var isConfigured: Bool { !tokens.isEmpty }

    /// Checks a request's `Authorization` header.
    /// - Throws: ``Problem`` 401 with `WWW-Authenticate: Bearer` when the header is missing, uses another scheme,
    ///   carries an empty or unknown token, or when no token is configured.
    func authorize(_ request: Request) throws(Problem) {
        guard isConfigured else {
            throw Self.refusal("no API token is configured on this server (HANDOFF_TOKENS); every request is refused")
        }
        guard let header = request.headers[.authorization] else {
            throw Self.refusal("send Authorization: Bearer <token>")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count >= 1, parts[0].lowercased() == "bearer" else {
            throw Self.refusal("the Authorization scheme must be Bearer")
        }
        let token = parts.count == 2 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        guard !token.isEmpty else { throw Self.refusal("the bearer token is empty", invalidToken: true) }
        guard accepts(Array(token.utf8)) else { throw Self.refusal("the bearer token is not valid", invalidToken: true) }
    }

    /// Compares `candidate` with every configured token, each in time that depends only on the token's length, and
    /// without stopping at the first match.
    func accepts(_ candidate: [UInt8]) -> Bool {
        var matched = false
        for token in tokens {
            var difference: UInt8 = token.count == candidate.count ? 0 : 1
            for index in token.indices {
                let other = index < candidate.count ? candidate[index] : 0
                difference |= token[index] ^ other
            }
            if difference == 0 { matched = true }
        }
        return matched
    }

    private static func refusal(_ detail: String, invalidToken: Bool = false) -> Problem {
        var problem = Problem("unauthorized", "A valid bearer token is required", status: .unauthorized, detail: detail)
        problem.headers[.wwwAuthenticate] =
            invalidToken ? #"Bearer realm="handoff", error="invalid_token""# : #"Bearer realm="handoff""#
        return problem
    }
}
