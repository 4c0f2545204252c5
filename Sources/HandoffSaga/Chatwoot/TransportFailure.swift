import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// Sorts transport failures into "certainly not processed" and "outcome unknown".
enum TransportFailure {
    /// Failures that happen before a request can reach the server.
    private static let beforeSending: [HTTPClientError] = [
        .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath, .alreadyShutdown, .connectTimeout,
        .getConnectionFromPoolTimeout, .tlsHandshakeTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout,
        .invalidProxyResponse, .proxyAuthenticationRequired, .invalidRedirectConfiguration,
        .invalidHTTPVersionConfiguration, .invalidLocalAddress, .invalidProxyConfiguration,
    ]

    static func classify(_ error: any Error, endpoint: String) -> ChatwootError {
        if let error = error as? HTTPClientError {
            if beforeSending.contains(error) {
                return .notSent(endpoint: endpoint, reason: "\(error)")
            }
            if error == .deadlineExceeded || error == .readTimeout {
                return .outcomeUnknown(endpoint: endpoint, reason: "no answer in time (\(error))")
            }
            if error == .remoteConnectionClosed {
                return .outcomeUnknown(endpoint: endpoint, reason: "the connection closed before the answer")
            }
            return .outcomeUnknown(endpoint: endpoint, reason: "\(error)")
        }
        if let error = error as? IOError, refusedBeforeSending.contains(error.errnoCode) {
            return .notSent(endpoint: endpoint, reason: "\(error)")
        }
        // NIO reports a refused or unreachable connect as one error wrapping every address it tried.
        if error is NIOConnectionError {
            return .notSent(endpoint: endpoint, reason: "\(error)")
        }
        if case .connectTimeout = error as? ChannelError {
            return .notSent(endpoint: endpoint, reason: "\(error)")
        }
        if error is CancellationError {
            return .outcomeUnknown(endpoint: endpoint, reason: "cancelled while the request was in flight")
        }
        return .outcomeUnknown(endpoint: endpoint, reason: "\(error)")
    }

    private static let refusedBeforeSending: Set<Int32> = [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH]
}

/// Reads a `Retry-After` header: delay seconds, or an HTTP date.
enum RetryAfter {
    static func parse(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value), seconds >= 0 {
            return .seconds(seconds)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        let seconds = max(0, date.timeIntervalSince(now))
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }
}

extension TimeAmount {
    /// The same span as a `Duration`, to the nanosecond.
    init(_ duration: Duration) {
        self = .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
