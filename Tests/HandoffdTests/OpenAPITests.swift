import EventStore
import Foundation
import HTTPTypes
import NIOHTTP1
import Testing

@testable import handoffd

/// The OpenAPI document read just enough to compare it with the router: its paths and methods, and the JSON
/// examples of each operation's request body (written one per line, as JSON, in the document).
struct OpenAPIOperations {
    struct Operation: Hashable {
        var method: String
        var path: String
        var examples: [String] = []
    }

    var operations: [Operation] = []

    init(_ yaml: String) {
        var inPaths = false
        var path: String?
        var inRequestBody = false
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            guard inPaths else { continue }
            if !line.hasPrefix(" "), !line.isEmpty { break }  // the next top-level key
            let indent = line.prefix { $0 == " " }.count
            let content = line.trimmingCharacters(in: .whitespaces)
            if indent == 2, content.hasPrefix("/"), content.hasSuffix(":") {
                path = String(content.dropLast())
            } else if indent == 4, let path, ["get:", "put:", "post:", "delete:", "patch:"].contains(content) {
                operations.append(Operation(method: String(content.dropLast()), path: path))
                inRequestBody = false
            } else if indent == 6 {
                inRequestBody = content == "requestBody:"
            } else if inRequestBody, content.hasPrefix("value: {"), !operations.isEmpty {
                operations[operations.count - 1].examples.append(String(content.dropFirst("value: ".count)))
            }
        }
    }
}

@Suite("The OpenAPI document matches the implementation")
struct OpenAPITests {
    let document = OpenAPIOperations(OpenAPIDocument.yaml)

    @Test("every route the router registers is in the document, and every operation of the document is a route")
    func routes() {
        let registered = Set(APIRoute.allCases.map { "\($0.method.rawValue.lowercased()) \($0.path)" })
        let documented = Set(document.operations.map { "\($0.method) \($0.path)" })
        #expect(registered == documented)
        #expect(document.operations.count == APIRoute.allCases.count)
    }

    @Test("it is served at /openapi.yaml as it is in the repository")
    func served() async throws {
        let server = try await TestServer.start()
        let answer = try await server.get("/openapi.yaml", token: nil)
        #expect(answer.status == 200)
        #expect(answer.contentType == "application/yaml")
        #expect(answer.text == OpenAPIDocument.yaml)
        #expect(answer.text.hasPrefix("openapi: 3.1.0\n"))
        try await server.stop()
    }

    @Test("the request examples of the document are accepted by the real handlers")
    func examples() async throws {
        let server = try await TestServer.start()
        var tried = 0
        for operation in document.operations {
            for (index, example) in operation.examples.enumerated() {
                let body = Data(example.utf8)
                #expect(throws: Never.self, "\(operation.path) example \(index) is JSON") { _ = try JSONValue(jsonData: body) }
                let path = operation.path.replacingOccurrences(of: "{id}", with: "c-example-\(tried)")
                let answer: Answer
                switch operation.method {
                case "post" where operation.path == APIRoute.chatwootWebhook.path:
                    answer = try await server.deliver(body)
                case "post":
                    answer = try await server.request(.POST, path, body: body)
                case "put":
                    answer = try await server.request(.PUT, path, body: body)
                default:
                    Issue.record("an example for \(operation.method) \(operation.path)")
                    continue
                }
                #expect((200...201).contains(answer.status), "\(operation.method) \(operation.path) #\(index): \(answer.text)")
                tried += 1
            }
        }
        #expect(tried >= 4)
        try await server.stop()
    }
}
