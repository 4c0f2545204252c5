/// An HTTP answer: status, content type, extra headers and body bytes.
struct APIResponse: Sendable {
    var status: Int
    var contentType: String?
    var headers: [(String, String)] = []
    var body: [UInt8]

    /// A JSON answer rendered like Rails.
    static func json(_ value: JSONValue, status: Int = 200) -> APIResponse {
        APIResponse(status: status, contentType: "application/json; charset=utf-8", body: JSONSerializer.bytes(value))
    }

    init(status: Int, contentType: String?, headers: [(String, String)] = [], body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    init(_ error: ChatwootError) {
        self.status = error.status
        self.contentType = error.contentType
        self.headers = error.headers
        self.body = error.body
    }
}
