/// Contact JSON in Chatwoot's three forms: the REST partial, push data and webhook data.
extension SimulatorState {
    /// The `_contact` partial; `contact_inboxes` lists `{source_id, inbox: inbox_slim}`.
    func contactJSON(_ contact: ContactRecord, includeContactInboxes: Bool = true) -> JSONValue {
        var object: JSONObject = [
            "additional_attributes": .object(contact.additionalAttributes),
            "availability_status": "offline",
            "email": .optional(contact.email),
            "id": .int(contact.id),
            "name": .string(contact.name),
            "phone_number": .optional(contact.phoneNumber),
            "blocked": .bool(contact.blocked),
            "identifier": .optional(contact.identifier),
            "thumbnail": "",
            "custom_attributes": .object(contact.customAttributes),
            "last_activity_at": .optional(contact.lastActivityAt?.unix),
            "created_at": .int(contact.createdAt.unix),
        ]
        if includeContactInboxes {
            object.append(
                "contact_inboxes",
                .array(
                    self.contactInboxes(ofContact: contact.id).map {
                        ["source_id": .string($0.sourceID), "inbox": self.slimInboxJSON]
                    }
                )
            )
        }
        return .object(object)
    }

    /// `Contact#push_event_data` (message senders, webhook `meta.sender`).
    func contactPushData(_ contact: ContactRecord) -> JSONValue {
        [
            "additional_attributes": .object(contact.additionalAttributes),
            "custom_attributes": .object(contact.customAttributes),
            "email": .optional(contact.email),
            "id": .int(contact.id),
            "identifier": .optional(contact.identifier),
            "name": .string(contact.name),
            "phone_number": .optional(contact.phoneNumber),
            "thumbnail": "",
            "blocked": .bool(contact.blocked),
            "type": "contact",
        ]
    }

    /// `Contact#webhook_data` (the sender of an incoming `message_created`; no `type`).
    func contactWebhookData(_ contact: ContactRecord) -> JSONValue {
        [
            "account": self.accountWebhookJSON,
            "additional_attributes": .object(contact.additionalAttributes),
            "avatar": "",
            "custom_attributes": .object(contact.customAttributes),
            "email": .optional(contact.email),
            "id": .int(contact.id),
            "identifier": .optional(contact.identifier),
            "name": .string(contact.name),
            "phone_number": .optional(contact.phoneNumber),
            "thumbnail": "",
            "blocked": .bool(contact.blocked),
        ]
    }
}
