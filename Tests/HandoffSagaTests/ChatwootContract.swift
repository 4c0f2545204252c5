import EventStore
import Foundation

/// The contract this service's Chatwoot client is held to: the operations it uses, with request schemas copied from
/// Chatwoot's published document and response schemas from its source (`Contract/chatwoot-application-4.15.1.json`).
///
/// A check returns the violations found, each naming the operation and the field.
struct ChatwootContract {
    struct Operation {
        var id: String
        var method: String
        var pathSegments: [String]
        var pathParameters: [String: String]
        var queryParameters: [String: String]
        var requestBody: JSONValue?
        var response: JSONValue?
        var responseStatus: Int?
    }

    let operations: [Operation]
    let errors: [String: JSONValue]
    let commit: String

    static func load() throws -> ChatwootContract {
        guard let url = Bundle.module.url(
            forResource: "chatwoot-application-4.15.1", withExtension: "json", subdirectory: "Contract")
        else { throw ContractError("the contract file is missing from the test bundle") }
        let root = try JSONValue(jsonData: Data(contentsOf: url))
        guard case .array(let list)? = root["operations"], case .string(let commit)? = root["document"]?["commit"] else {
            throw ContractError("the contract file is not in the expected form")
        }
        let operations = list.compactMap { entry -> Operation? in
            guard case .string(let id)? = entry["operationId"], case .string(let method)? = entry["method"],
                case .string(let path)? = entry["path"]
            else { return nil }
            var query = strings(entry["queryParameters"])
            query.merge(strings(entry["x-source-only-query"])) { $1 }
            var body = entry["requestBody"]
            // Fields Chatwoot's source reads but the document omits are allowed beside the document's own.
            if case .object(var schema)? = body, case .object(let extra)? = schema["x-source-only"],
                case .object(var properties)? = schema["properties"]
            {
                properties.merge(extra) { $1 }
                schema["properties"] = .object(properties)
                body = .object(schema)
            }
            var status: Int?
            if case .integer(let value)? = entry["response"]?["status"] { status = Int(value) }
            return Operation(
                id: id, method: method, pathSegments: path.split(separator: "/").map(String.init),
                pathParameters: strings(entry["pathParameters"]), queryParameters: query, requestBody: body,
                response: entry["response"]?["schema"], responseStatus: status)
        }
        return ChatwootContract(operations: operations, errors: root["errors"]?.objectValue ?? [:], commit: commit)
    }

    private static func strings(_ value: JSONValue?) -> [String: String] {
        var result: [String: String] = [:]
        for (key, entry) in value?.objectValue ?? [:] {
            if case .string(let text) = entry { result[key] = text }
        }
        return result
    }

    /// The operation a method and path belong to; literal segments win over parameters (`contacts/filter` is not
    /// `contacts/{id}`).
    func operation(method: String, path: String) -> Operation? {
        let segments = path.split(separator: "/").map(String.init)
        let candidates = operations.filter { operation in
            operation.method == method && operation.pathSegments.count == segments.count
                && zip(operation.pathSegments, segments).allSatisfy { template, actual in
                    template.hasPrefix("{") || template == actual
                }
        }
        return candidates.max { literals($0) < literals($1) }
    }

    private func literals(_ operation: Operation) -> Int {
        operation.pathSegments.filter { !$0.hasPrefix("{") }.count
    }

    /// Violations of a request: an unknown operation, a path parameter of the wrong type, an unknown or mistyped query
    /// parameter, a missing required field, a field neither the document nor the source has, a field of the wrong type.
    func checkRequest(method: String, path: String, query: [String: String], body: Data?) -> [String] {
        guard let operation = operation(method: method, path: path) else {
            return ["\(method) \(path): not an operation of the contract"]
        }
        var problems: [String] = []
        let segments = path.split(separator: "/").map(String.init)
        for (template, actual) in zip(operation.pathSegments, segments) where template.hasPrefix("{") {
            let name = String(template.dropFirst().dropLast())
            let type = operation.pathParameters[name] ?? "string"
            if !Self.scalar(actual, hasType: type) {
                problems.append("\(operation.id): path parameter \(name)=\(actual) is not \(type)")
            }
        }
        for (name, value) in query {
            guard let type = operation.queryParameters[name] else {
                problems.append("\(operation.id): query parameter \(name) is not in the contract")
                continue
            }
            if !Self.scalar(value, hasType: type) {
                problems.append("\(operation.id): query parameter \(name)=\(value) is not \(type)")
            }
        }
        let bytes = body.flatMap { $0.isEmpty ? nil : $0 }
        switch (operation.requestBody, bytes) {
        case (nil, nil): break
        case (nil, .some): problems.append("\(operation.id): sends a body the operation does not take")
        case (.some(let schema), nil):
            if !(schema["required"]?.arrayValue ?? []).isEmpty {
                problems.append("\(operation.id): the body is missing")
            }
        case (.some(let schema), .some(let bytes)):
            guard let value = try? JSONValue(jsonData: bytes) else {
                problems.append("\(operation.id): the body is not JSON")
                break
            }
            problems += Self.validate(value, against: schema, at: "body", strict: true).map { "\(operation.id): \($0)" }
        }
        return problems
    }

    /// Violations of a response: a 2xx body against the operation's schema, an error body against Chatwoot's error
    /// shapes.
    func checkResponse(method: String, path: String, status: Int, body: Data) -> [String] {
        guard let operation = operation(method: method, path: path) else {
            return ["\(method) \(path): not an operation of the contract"]
        }
        guard let value = try? JSONValue(jsonData: body) else {
            // Rack::Attack answers a throttle with the text "Retry later"; a proxy may answer 5xx in HTML.
            if status == 429 || status >= 500 { return [] }
            return ["\(operation.id): the \(status) body is not JSON"]
        }
        if (200..<300).contains(status) {
            guard let schema = operation.response else { return ["\(operation.id): no response schema"] }
            if let expected = operation.responseStatus, expected != status {
                return ["\(operation.id): status \(status), Chatwoot answers \(expected)"]
            }
            return Self.validate(value, against: schema, at: "response", strict: false).map { "\(operation.id): \($0)" }
        }
        guard let schema = errors[String(status)] else { return [] }
        var problems = Self.validate(value, against: schema, at: "error", strict: true).map { "\(operation.id): \($0)" }
        if let keys = schema["x-one-of-keys"]?.arrayValue, let object = value.objectValue {
            let names = keys.compactMap { key -> String? in
                if case .string(let name) = key { return name }
                return nil
            }
            if !names.contains(where: { object[$0] != nil }) {
                problems.append("\(operation.id): a \(status) body has none of \(names)")
            }
        }
        return problems
    }

    /// A JSON Schema subset: `type` (one or a list), `required`, `properties`, `items`, `enum`. With `strict`, an object
    /// may hold only the properties its schema names.
    static func validate(_ value: JSONValue, against schema: JSONValue, at path: String, strict: Bool) -> [String] {
        var types: [String] = []
        switch schema["type"] {
        case .string(let type)?: types = [type]
        case .array(let list)?: types = list.compactMap { if case .string(let type) = $0 { type } else { nil } }
        default: break
        }
        if !types.isEmpty, !types.contains(where: { matches(value, type: $0) }) {
            return ["\(path) is \(describe(value)), not \(types.joined(separator: " or "))"]
        }
        var problems: [String] = []
        if let allowed = schema["enum"]?.arrayValue, value != .null, !allowed.contains(where: { same($0, value) }) {
            problems.append("\(path) is \(text(value)), not one of \(allowed.map(text))")
        }
        if let object = value.objectValue {
            let properties = schema["properties"]?.objectValue
            for case .string(let name) in schema["required"]?.arrayValue ?? [] where object[name] == nil {
                problems.append("\(path).\(name) is required")
            }
            for (name, field) in object.sorted(by: { $0.key < $1.key }) {
                if let fieldSchema = properties?[name] {
                    problems += validate(field, against: fieldSchema, at: "\(path).\(name)", strict: strict)
                } else if strict, properties != nil {
                    problems.append("\(path).\(name) is not a field of the contract")
                }
            }
        }
        if case .array(let items) = value, let itemSchema = schema["items"] {
            for (index, item) in items.enumerated() {
                problems += validate(item, against: itemSchema, at: "\(path)[\(index)]", strict: strict)
            }
        }
        return problems
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool),
            ("integer", .integer), ("number", .integer), ("number", .double):
            true
        default: false
        }
    }

    private static func same(_ left: JSONValue, _ right: JSONValue) -> Bool {
        switch (left, right) {
        case (.integer(let a), .double(let b)), (.double(let b), .integer(let a)): Double(a) == b
        default: left == right
        }
    }

    private static func text(_ value: JSONValue) -> String {
        (try? value.canonicalString()) ?? "?"
    }

    private static func scalar(_ text: String, hasType type: String) -> Bool {
        switch type {
        case "integer": Int(text) != nil
        case "number": Double(text) != nil
        case "boolean": text == "true" || text == "false"
        default: true
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension JSONValue {
    var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}

struct ContractError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
