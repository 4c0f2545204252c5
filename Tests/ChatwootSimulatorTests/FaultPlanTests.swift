import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import ChatwootSimulator

@Suite("Fault plan format")
struct FaultPlanTests {
    @Test("every kind of the documented example parses")
    func example() throws {
        let plan = try FaultPlan(
            json: """
                {"rules": [
                  {"method": "POST", "path": "/api/v1/accounts/1/conversations/*/messages", "fault": "status", "status": 503, "count": 2, "skip": 0},
                  {"fault": "rateLimit", "retryAfter": 2},
                  {"fault": "rateLimit"},
                  {"fault": "delay", "seconds": 2.5},
                  {"fault": "resetBeforeWrite"},
                  {"fault": "commitThenReset"},
                  {"method": "POST", "path": "/api/v1/accounts/1/contacts", "fault": "status", "status": 500, "every": 10, "always": true},
                  {"fault": "commitThenDelay", "seconds": 3},
                  {"fault": "outage", "seconds": 10}
                ]}
                """
        )
        #expect(
            plan.rules == [
                FaultRule(method: "POST", path: "/api/v1/accounts/1/conversations/*/messages", fault: .status(503), count: 2),
                FaultRule(fault: .rateLimit(retryAfter: 2)),
                FaultRule(fault: .rateLimit(retryAfter: nil)),
                FaultRule(fault: .delay(seconds: 2.5)),
                FaultRule(fault: .resetBeforeWrite),
                FaultRule(fault: .commitThenReset),
                FaultRule(method: "POST", path: "/api/v1/accounts/1/contacts", fault: .status(500), count: nil, every: 10),
                FaultRule(fault: .commitThenDelay(seconds: 3)),
                FaultRule(fault: .outage(seconds: 10), count: nil),
            ]
        )
    }

    @Test("count null and always true mean every match; absent count means one")
    func counts() throws {
        let plan = try FaultPlan(
            json:
                #"{"rules": [{"fault": "commitThenReset", "count": null}, {"fault": "commitThenReset", "always": true}, {"fault": "commitThenReset"}]}"#
        )
        #expect(plan.rules.map(\.count) == [nil, nil, 1])
    }

    @Test("every takes a positive integer, combines with skip and count, and round-trips")
    func every() throws {
        let plan = try FaultPlan(
            json: #"""
                {"rules": [
                  {"method": "POST", "path": "/api/v1/accounts/1/contacts", "fault": "status", "status": 500, "every": 10, "always": true},
                  {"fault": "resetBeforeWrite", "every": 3, "skip": 1, "count": 2},
                  {"fault": "commitThenReset", "every": null}
                ]}
                """#
        )
        #expect(
            plan.rules == [
                FaultRule(method: "POST", path: "/api/v1/accounts/1/contacts", fault: .status(500), count: nil, every: 10),
                FaultRule(fault: .resetBeforeWrite, count: 2, skip: 1, every: 3),
                FaultRule(fault: .commitThenReset),
            ]
        )
        #expect(try FaultPlan(json: plan.jsonString()) == plan)
        #expect(FaultRule(fault: .outage(seconds: 1), every: 4).every == nil)
    }

    @Test("every n-th selected request gets the fault, after skip and within count; the others go to later rules")
    func everyBehaviour() {
        let start = ContinuousClock.now
        let path = "/api/v1/accounts/1/conversations/1/messages"
        func faults(_ rules: [FaultRule], requests: Int, method: String = "POST") -> [Fault?] {
            var injector = FaultInjector(plan: FaultPlan(rules: rules), now: start)
            return (0..<requests).map { _ in injector.fault(method: method, path: path, now: start) }
        }
        let tenth = faults([FaultRule(method: "POST", fault: .status(500), count: nil, every: 10)], requests: 100)
        #expect(tenth.indices.filter { tenth[$0] != nil } == [9, 19, 29, 39, 49, 59, 69, 79, 89, 99])
        #expect(faults([FaultRule(method: "POST", fault: .status(500), count: nil, every: 10)], requests: 10, method: "GET")
            .allSatisfy { $0 == nil })

        let skipped = faults([FaultRule(fault: .status(503), count: 2, skip: 1, every: 3)], requests: 12)
        #expect(skipped.indices.filter { skipped[$0] != nil } == [3, 6])

        let fallThrough = faults(
            [FaultRule(fault: .status(500), count: nil, every: 2), FaultRule(fault: .resetBeforeWrite, count: 1)],
            requests: 4)
        #expect(fallThrough == [.resetBeforeWrite, .status(500), nil, .status(500)])

        let once = faults([FaultRule(fault: .status(500), every: 1)], requests: 3)
        #expect(once == [.status(500), nil, nil])
    }

    @Test(
        "unknown kinds and fields are errors that name them",
        arguments: [
            (#"{"rules": [{"fault": "explode"}]}"#, "\"explode\"", FaultPlanError.Code.unknownFault),
            (#"{"rules": [{"fault": "delay", "seconds": 1, "jitter": 2}]}"#, "\"jitter\"", .unknownField),
            (#"{"rules": [{"fault": "rateLimit", "seconds": 1}]}"#, "\"seconds\"", .unknownField),
            (#"{"rule": []}"#, "\"rule\"", .unknownField),
            (#"{"rules": [{"fault": "status"}]}"#, "\"status\"", .missingValue),
            (#"{"rules": [{"fault": "delay"}]}"#, "\"seconds\"", .missingValue),
            (#"{"rules": [{"fault": "status", "status": 42}]}"#, "\"status\"", .invalidValue),
            (#"{"rules": [{"fault": "status", "status": 500, "every": 0}]}"#, "\"every\"", .invalidValue),
            (#"{"rules": [{"fault": "status", "status": 500, "every": -2}]}"#, "\"every\"", .invalidValue),
            (#"{"rules": [{"fault": "status", "status": 500, "every": 2.5}]}"#, "\"every\"", .invalidValue),
            (#"{"rules": [{"fault": "status", "status": 500, "every": "10"}]}"#, "\"every\"", .invalidValue),
            (#"{"rules": [{"fault": "outage", "seconds": 1, "every": 2}]}"#, "\"every\"", .unknownField),
            ("not json", "JSON", .invalidJSON),
        ])
    func errors(json: String, mentions: String, code: FaultPlanError.Code) {
        do {
            _ = try FaultPlan(json: json)
            Issue.record("expected \(json) to be refused")
        } catch {
            #expect(error.code == code)
            #expect(error.description.contains(mentions))
        }
    }

    @Test("the JSON form and Codable round-trip")
    func roundTrip() throws {
        let plan = FaultPlan(rules: [
            FaultRule(method: "GET", path: "/x/*", fault: .status(500), count: nil, skip: 2),
            FaultRule(fault: .rateLimit(retryAfter: 1)),
            FaultRule(fault: .outage(seconds: 1.5)),
        ])
        #expect(try FaultPlan(json: plan.jsonString()) == plan)
        let encoded = try JSONEncoder().encode(plan)
        #expect(try JSONDecoder().decode(FaultPlan.self, from: encoded) == plan)
    }

    @Test("paths match by segment with * for one segment, ignoring the query")
    func pathMatching() {
        let rule = FaultRule(method: "POST", path: "/api/v1/accounts/1/conversations/*/messages", fault: .resetBeforeWrite)
        #expect(FaultInjector.selects(rule, method: "POST", path: "/api/v1/accounts/1/conversations/12/messages"))
        #expect(FaultInjector.selects(rule, method: "post", path: "/api/v1/accounts/1/conversations/12/messages?after=3"))
        #expect(!FaultInjector.selects(rule, method: "GET", path: "/api/v1/accounts/1/conversations/12/messages"))
        #expect(!FaultInjector.selects(rule, method: "POST", path: "/api/v1/accounts/1/conversations/12"))
        #expect(!FaultInjector.selects(rule, method: "POST", path: "/api/v1/accounts/1/conversations/12/messages/4"))
    }
}

@Suite("JSON rendering")
struct JSONTests {
    @Test("objects keep member order and HTML-sensitive characters are escaped like Rails")
    func serializer() throws {
        let value: JSONValue = ["b": 1, "a": "<b>&</b>", "c": [1.5, nil, true]]
        #expect(JSONSerializer.string(value) == #"{"b":1,"a":"\u003cb\u003e\u0026\u003c/b\u003e","c":[1.5,null,true]}"#)
        #expect(try JSONParser.parse(JSONSerializer.bytes(value)) == value)
    }

    @Test("the parser tells integers from decimals and decodes escapes")
    func parser() throws {
        let value = try JSONParser.parse(Array(#"{"i": 3, "d": 3.0, "s": "\u00e9\ud83d\ude00\n"}"#.utf8))
        #expect(value["i"] == .int(3))
        #expect(value["d"] == .double(3))
        #expect(value["s"] == .string("é😀\n"))
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array("{\"a\": }".utf8)) }
    }

    @Test("timestamps render like Rails")
    func timestamps() {
        let moment = Timestamp(seconds: 1_781_950_498.204)
        #expect(moment.iso8601 == "2026-06-20T10:14:58.204Z")
        #expect(moment.unix == 1_781_950_498)
    }
}
