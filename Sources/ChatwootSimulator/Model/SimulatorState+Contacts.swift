/// The fields of `POST contacts` the simulator reads.
struct ContactParams: Sendable {
    var name: String?
    var identifier: String?
    var email: String?
    var phoneNumber: String?
    var blocked: Bool = false
    var additionalAttributes = JSONObject()
    var customAttributes = JSONObject()
    /// The raw `inbox_id`, when the key was sent.
    var inboxID: JSONValue?
    var sourceID: String?
}

extension SimulatorState {
    /// `POST contacts`: validates like `Contact` (email, identifier, phone), then creates the contact and,
    /// with an inbox id, its contact inbox, all or nothing.
    /// - Throws: 422 `{"message", "attributes"}` on validation; 404 for an unknown inbox; 500 when the
    ///   source id belongs to another contact in that inbox.
    mutating func createContact(
        _ params: ContactParams,
        now: Timestamp
    ) throws(ChatwootError) -> (ContactRecord, ContactInboxRecord?) {
        let email = params.email.flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0.trimmingWhitespace().lowercased() }
        let identifier = params.identifier.flatMap { $0.isEmpty ? nil : $0 }
        let phone = params.phoneNumber.flatMap { $0.isEmpty ? nil : $0 }

        var failures: [(attribute: String, message: String)] = []
        if let email {
            if self.contacts.contains(where: { $0.email == email }) {
                failures.append(("email", "Email has already been taken"))
            }
            if !Self.isValidEmail(email) {
                failures.append(("email", "Email Invalid email"))
            }
        }
        if let identifier, self.contacts.contains(where: { $0.identifier == identifier }) {
            failures.append(("identifier", "Identifier has already been taken"))
        }
        if let phone {
            if self.contacts.contains(where: { $0.phoneNumber == phone }) {
                failures.append(("phone_number", "Phone number has already been taken"))
            }
            if !Self.isE164(phone) {
                failures.append(("phone_number", "Phone number should be in e164 format"))
            }
        }
        if !failures.isEmpty {
            throw ChatwootError.invalidRecord(failures)
        }

        var inboxID: Int?
        if let rawInbox = params.inboxID, !(rawInbox.scalarString ?? "").isEmpty {
            guard let found = self.findInbox(rawInbox) else { throw ChatwootError.notFound }
            inboxID = found
            if let sourceID = params.sourceID, self.contactInbox(inboxID: found, sourceID: sourceID) != nil {
                // The new contact can never own an existing row: the unique index raises, unrescued.
                throw ChatwootError.rails(500)
            }
        }

        let contact = ContactRecord(
            id: self.makeContactID(),
            name: params.name ?? "",
            email: email,
            phoneNumber: phone,
            identifier: identifier,
            blocked: params.blocked,
            additionalAttributes: params.additionalAttributes,
            customAttributes: params.customAttributes,
            createdAt: now,
            lastActivityAt: nil
        )
        self.insertContact(contact)
        guard let inboxID else { return (contact, nil) }
        switch self.findOrCreateContactInbox(contactID: contact.id, inboxID: inboxID, sourceID: params.sourceID, now: now) {
        case .found(let record), .created(let record):
            return (contact, record)
        case .conflict:
            // Checked above; a fresh UUID cannot collide.
            throw ChatwootError.rails(500)
        }
    }

    /// `POST contacts/{id}/contact_inboxes`.
    /// - Throws: 404 for an unknown contact or inbox; 500 when another contact holds the source id.
    mutating func createContactInbox(
        contactID: Int,
        inbox: JSONValue?,
        sourceID: String?,
        now: Timestamp
    ) throws(ChatwootError) -> ContactInboxRecord {
        guard self.contact(contactID) != nil else { throw ChatwootError.notFound }
        guard let inboxID = self.findInbox(inbox) else { throw ChatwootError.notFound }
        switch self.findOrCreateContactInbox(contactID: contactID, inboxID: inboxID, sourceID: sourceID, now: now) {
        case .found(let record), .created(let record):
            return record
        case .conflict:
            throw ChatwootError.rails(500)
        }
    }

    /// `GET contacts/search`: name, email or phone contain `query` (any case), or the identifier contains it.
    func searchContacts(_ query: String) -> [ContactRecord] {
        let lowered = query.lowercased()
        return self.contacts.filter { contact in
            contact.name.lowercased().contains(lowered)
                || (contact.email?.lowercased().contains(lowered) ?? false)
                || (contact.phoneNumber?.lowercased().contains(lowered) ?? false)
                || (contact.identifier?.contains(query) ?? false)
        }
    }

    /// Devise's `email_regexp`: `\A[^@\s]+@[^@\s]+\z`.
    static func isValidEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        return !email.contains { $0.isWhitespace }
    }

    /// Chatwoot's phone check `/\+[1-9]\d{1,14}\z/` (anchored only at the end).
    static func isE164(_ phone: String) -> Bool {
        guard let plus = phone.lastIndex(of: "+") else { return false }
        let digits = phone[phone.index(after: plus)...]
        guard (2...15).contains(digits.count), let first = digits.first, first != "0" else { return false }
        return digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
