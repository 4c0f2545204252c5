import NIOCore
import NIOHTTP1
import Testing

@testable import ChatwootSimulator

@Suite("Contacts API")
struct ContactsTests {
    @Test("POST contacts answers payload.contact and a null contact_inbox without inbox_id")
    func createWithoutInbox() async throws {
        try await withSimulator { _, client in
            let answer = try await client.api(
                .POST,
                "contacts",
                json: #"{"name": "Jane Doe", "identifier": "user-1", "email": "Jane@Example.com", "custom_attributes": {"tier": "gold"}}"#
            )
            #expect(answer.status == 200)
            let contact = try #require(answer.json["payload"]?["contact"])
            #expect(
                contact.keys == [
                    "additional_attributes", "availability_status", "email", "id", "name", "phone_number", "blocked",
                    "identifier", "thumbnail", "custom_attributes", "last_activity_at", "created_at", "contact_inboxes",
                ]
            )
            #expect(contact["identifier"]?.string == "user-1")
            #expect(contact["email"]?.string == "jane@example.com")
            #expect(contact["custom_attributes"]?["tier"]?.string == "gold")
            #expect(contact["contact_inboxes"]?.count == 0)
            #expect(answer.json["payload"]?["contact_inbox"] == ["inbox": nil, "source_id": nil])
        }
    }

    @Test("POST contacts with inbox_id creates a contact inbox (source id given or a new UUID)")
    func createWithInbox() async throws {
        try await withSimulator { _, client in
            let given = try await client.api(.POST, "contacts", json: #"{"identifier": "u-1", "inbox_id": 1, "source_id": "s-1"}"#)
            #expect(given.status == 200)
            #expect(given.json["payload"]?["contact_inbox"]?["source_id"]?.string == "s-1")
            #expect(given.json["payload"]?["contact_inbox"]?["inbox"]?["id"]?.int == 1)
            #expect(given.json["payload"]?["contact_inbox"]?["inbox"]?["channel_type"]?.string == "Channel::Api")
            #expect(given.json["payload"]?["contact"]?["contact_inboxes"]?[0]?["source_id"]?.string == "s-1")

            let generated = try await client.api(.POST, "contacts", json: #"{"identifier": "u-2", "inbox_id": 1}"#)
            let sourceID = try #require(generated.json["payload"]?["contact_inbox"]?["source_id"]?.string)
            #expect(sourceID.count == 36)
        }
    }

    @Test("a taken identifier, email (any case) or phone answers 422 with message and attributes")
    func uniqueness() async throws {
        try await withSimulator { _, client in
            _ = try await client.api(
                .POST,
                "contacts",
                json: #"{"identifier": "user-1", "email": "a@example.com", "phone_number": "+14155550100"}"#
            )
            let identifier = try await client.api(.POST, "contacts", json: #"{"identifier": "user-1"}"#)
            #expect(identifier.status == 422)
            #expect(identifier.json == ["message": "Identifier has already been taken", "attributes": ["identifier"]])

            let email = try await client.api(.POST, "contacts", json: #"{"email": "A@EXAMPLE.com"}"#)
            #expect(email.status == 422)
            #expect(email.json == ["message": "Email has already been taken", "attributes": ["email"]])

            let phone = try await client.api(.POST, "contacts", json: #"{"phone_number": "+14155550100"}"#)
            #expect(phone.json == ["message": "Phone number has already been taken", "attributes": ["phone_number"]])

            let both = try await client.api(.POST, "contacts", json: #"{"identifier": "user-1", "email": "a@example.com"}"#)
            #expect(
                both.json == [
                    "message": "Email has already been taken, Identifier has already been taken",
                    "attributes": ["email", "identifier"],
                ]
            )

            let badPhone = try await client.api(.POST, "contacts", json: #"{"phone_number": "0415"}"#)
            #expect(badPhone.status == 422)
            #expect(badPhone.json["attributes"] == ["phone_number"])
        }
    }

    @Test("a source id owned by another contact in the inbox answers 500, and creates nothing")
    func sourceConflict() async throws {
        try await withSimulator { simulator, client in
            _ = try await client.api(.POST, "contacts", json: #"{"identifier": "a", "inbox_id": 1, "source_id": "s"}"#)
            let conflict = try await client.api(.POST, "contacts", json: #"{"identifier": "b", "inbox_id": 1, "source_id": "s"}"#)
            #expect(conflict.status == 500)
            let filter = try await client.api(
                .POST,
                "contacts/filter",
                json: #"{"payload": [{"attribute_key": "identifier", "filter_operator": "equal_to", "values": ["b"], "query_operator": null}]}"#
            )
            #expect(filter.json["meta"]?["count"]?.int == 0)
            #expect(simulator.stats().creates.contacts == 1)

            let unknownInbox = try await client.api(.POST, "contacts", json: #"{"identifier": "c", "inbox_id": 99}"#)
            #expect(unknownInbox.status == 404)
        }
    }

    @Test("GET contacts/{id} wraps the contact in payload; unknown ids are 404")
    func show() async throws {
        try await withSimulator { _, client in
            let id = try await client.createContact(identifier: "user-9")
            let answer = try await client.api(.GET, "contacts/\(id)")
            #expect(answer.status == 200)
            #expect(answer.json["payload"]?["id"]?.int == id)
            let missing = try await client.api(.GET, "contacts/99999")
            #expect(missing.status == 404)
            #expect(missing.json == ["error": "Resource could not be found"])
        }
    }

    @Test("contacts/search is a substring search, 15 a page with has_more; a blank q is 422")
    func search() async throws {
        try await withSimulator { _, client in
            for index in 1...17 {
                _ = try await client.createContact(identifier: "ext-\(index)", name: "Person \(index)")
            }
            let first = try await client.api(.GET, "contacts/search?q=ext-")
            #expect(first.json["payload"]?.count == 15)
            #expect(first.json["meta"]?["has_more"] == true)
            let second = try await client.api(.GET, "contacts/search?q=ext-&page=2")
            #expect(second.json["payload"]?.count == 2)
            #expect(second.json["meta"]?["has_more"] == false)
            let substring = try await client.api(.GET, "contacts/search?q=ext-1")
            #expect(substring.json["payload"]?.count == 9)
            let byName = try await client.api(.GET, "contacts/search?q=person%2017")
            #expect(byName.json["payload"]?.count == 1)

            let blank = try await client.api(.GET, "contacts/search?q=")
            #expect(blank.status == 422)
            #expect(blank.json == ["error": "Specify search string with parameter q"])
        }
    }

    @Test("contacts/filter finds an identifier exactly, in any case; bad keys and operators are 422")
    func filter() async throws {
        try await withSimulator { _, client in
            let id = try await client.createContact(identifier: "Ext-42")
            _ = try await client.createContact(identifier: "ext-420")
            func filter(_ key: String, _ op: String, _ value: String) async throws -> HTTPAnswer {
                try await client.api(
                    .POST,
                    "contacts/filter",
                    json:
                        #"{"payload": [{"attribute_key": "\#(key)", "filter_operator": "\#(op)", "values": ["\#(value)"], "query_operator": null}]}"#
                )
            }
            let exact = try await filter("identifier", "equal_to", "ext-42")
            #expect(exact.status == 200)
            #expect(exact.json["meta"] == ["count": 1, "current_page": 1])
            #expect(exact.json["payload"]?[0]?["id"]?.int == id)

            let byName = try await filter("name", "equal_to", "jane doe")
            #expect(byName.json["meta"]?["count"]?.int == 2)

            let badKey = try await filter("shoe_size", "equal_to", "42")
            #expect(badKey.status == 422)
            #expect(badKey.json["error"]?.string?.contains("shoe_size") == true)

            let badOperator = try await filter("identifier", "contains", "ext")
            #expect(badOperator.status == 422)
            #expect(badOperator.json["error"]?.string?.hasPrefix("Invalid operator") == true)
        }
    }

    @Test("POST contacts/{id}/contact_inboxes answers source_id and the slim inbox; same triple again is found")
    func contactInboxes() async throws {
        try await withSimulator { _, client in
            let id = try await client.createContact(identifier: "u")
            let answer = try await client.api(.POST, "contacts/\(id)/contact_inboxes", json: #"{"inbox_id": 1, "source_id": "sess-1"}"#)
            #expect(answer.status == 200)
            #expect(answer.json["source_id"]?.string == "sess-1")
            #expect(answer.json["inbox"]?.keys == ["id", "avatar_url", "channel_id", "name", "channel_type", "provider"])
            let again = try await client.api(.POST, "contacts/\(id)/contact_inboxes", json: #"{"inbox_id": 1, "source_id": "sess-1"}"#)
            #expect(again.status == 200)

            let other = try await client.createContact(identifier: "v")
            let conflict = try await client.api(.POST, "contacts/\(other)/contact_inboxes", json: #"{"inbox_id": 1, "source_id": "sess-1"}"#)
            #expect(conflict.status == 500)
            let unknownInbox = try await client.api(.POST, "contacts/\(id)/contact_inboxes", json: #"{"inbox_id": 5}"#)
            #expect(unknownInbox.status == 404)
        }
    }
}
