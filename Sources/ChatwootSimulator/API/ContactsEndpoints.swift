/// `contacts` endpoints (`Api::V1::Accounts::ContactsController`, `ContactInboxesController`).
extension ApplicationAPI {
    static let contactsPerPage = 15

    static func createContact(
        _ params: JSONObject,
        state: inout SimulatorState,
        now: Timestamp
    ) throws(ChatwootError) -> APIResponse {
        var contactParams = ContactParams()
        contactParams.name = self.string(params, "name")
        contactParams.identifier = self.string(params, "identifier")
        contactParams.email = self.string(params, "email")
        contactParams.phoneNumber = self.string(params, "phone_number")
        contactParams.blocked = params["blocked"]?.booleanValue ?? false
        contactParams.additionalAttributes = self.object(params, "additional_attributes")
        contactParams.customAttributes = self.object(params, "custom_attributes")
        contactParams.inboxID = params["inbox_id"]
        contactParams.sourceID = self.string(params, "source_id").flatMap { $0.isEmpty ? nil : $0 }
        let (contact, contactInbox) = try state.createContact(contactParams, now: now)
        return .json([
            "payload": [
                "contact": state.contactJSON(contact),
                "contact_inbox": [
                    "inbox": contactInbox == nil ? .null : state.inboxRecordJSON,
                    "source_id": .optional(contactInbox?.sourceID),
                ],
            ]
        ])
    }

    static func listContacts(_ params: JSONObject, state: SimulatorState) -> APIResponse {
        let page = self.page(params)
        let all = state.contacts
        let slice = all.dropFirst((page - 1) * self.contactsPerPage).prefix(self.contactsPerPage)
        return .json([
            "meta": ["count": .int(all.count), "current_page": .int(page)],
            "payload": .array(slice.map { state.contactJSON($0) }),
        ])
    }

    static func searchContacts(_ params: JSONObject, state: SimulatorState) throws(ChatwootError) -> APIResponse {
        guard let query = self.string(params, "q"), !query.trimmingWhitespace().isEmpty else {
            throw ChatwootError.unprocessable("Specify search string with parameter q")
        }
        let page = self.page(params)
        let matches = state.searchContacts(query)
        let slice = matches.dropFirst((page - 1) * self.contactsPerPage).prefix(self.contactsPerPage)
        return .json([
            "meta": [
                "count": .int(matches.count),
                "current_page": .int(page),
                "has_more": .bool(matches.count > page * self.contactsPerPage),
            ],
            "payload": .array(slice.map { state.contactJSON($0) }),
        ])
    }

    static func filterContacts(_ params: JSONObject, state: SimulatorState) throws(ChatwootError) -> APIResponse {
        let filter = try RecordFilter.parse(params, keys: RecordFilter.contactKeys, customAttributes: false)
        let page = self.page(params)
        let matches = state.contacts.filter { contact in
            filter.matches { key in RecordFilter.contactField(contact, key) }
        }
        let slice = matches.dropFirst((page - 1) * self.contactsPerPage).prefix(self.contactsPerPage)
        return .json([
            "meta": ["count": .int(matches.count), "current_page": .int(page)],
            "payload": .array(slice.map { state.contactJSON($0) }),
        ])
    }

    static func showContact(_ id: String, state: SimulatorState) throws(ChatwootError) -> APIResponse {
        guard let contactID = Int(id), let contact = state.contact(contactID) else { throw ChatwootError.notFound }
        return .json(["payload": state.contactJSON(contact)])
    }

    static func createContactInbox(
        _ id: String,
        _ params: JSONObject,
        state: inout SimulatorState,
        now: Timestamp
    ) throws(ChatwootError) -> APIResponse {
        guard let contactID = Int(id) else { throw ChatwootError.notFound }
        let sourceID = self.string(params, "source_id").flatMap { $0.isEmpty ? nil : $0 }
        let record = try state.createContactInbox(
            contactID: contactID,
            inbox: params["inbox_id"],
            sourceID: sourceID,
            now: now
        )
        return .json(["source_id": .string(record.sourceID), "inbox": state.slimInboxJSON])
    }

    static func contactConversations(_ id: String, state: SimulatorState) throws(ChatwootError) -> APIResponse {
        guard let contactID = Int(id), state.contact(contactID) != nil else { throw ChatwootError.notFound }
        let conversations = state.conversations
            .filter { $0.contactID == contactID }
            .sorted { ($0.lastActivityAt, $0.displayID) > ($1.lastActivityAt, $1.displayID) }
            .prefix(20)
        return .json(["payload": .array(conversations.map { state.conversationJSON($0) })])
    }
}
