/// JSON for the account's fixed records: inbox, teams, users and bots, as Chatwoot's views render them.
extension SimulatorState {
    /// `{id, name}` of the account, as in webhooks.
    var accountWebhookJSON: JSONValue {
        ["id": .int(self.setup.accountID), "name": .string(self.setup.accountName)]
    }

    /// The `inbox_slim` partial (contact inboxes in contact JSON and `contact_inboxes` answers).
    var slimInboxJSON: JSONValue {
        [
            "id": .int(self.setup.inboxID),
            "avatar_url": "",
            "channel_id": .int(self.setup.channelID),
            "name": .string(self.setup.inboxName),
            "channel_type": "Channel::Api",
            "provider": nil,
        ]
    }

    /// The inbox row's `as_json`, as `POST contacts` renders it under `contact_inbox.inbox`.
    var inboxRecordJSON: JSONValue {
        [
            "id": .int(self.setup.inboxID),
            "channel_id": .int(self.setup.channelID),
            "account_id": .int(self.setup.accountID),
            "name": .string(self.setup.inboxName),
            "created_at": .string(self.setup.createdAt.iso8601),
            "updated_at": .string(self.setup.createdAt.iso8601),
            "channel_type": "Channel::Api",
            "enable_auto_assignment": false,
            "greeting_enabled": false,
            "greeting_message": nil,
            "email_address": nil,
            "working_hours_enabled": false,
            "out_of_office_message": nil,
            "timezone": "UTC",
            "enable_email_collect": true,
            "csat_survey_enabled": false,
            "allow_messages_after_resolved": true,
            "auto_assignment_config": [:],
            "lock_to_single_conversation": false,
            "portal_id": nil,
            "sender_name_type": "friendly",
            "business_name": nil,
        ]
    }

    /// The inbox as `GET inboxes` renders it for an administrator (with the webhook URL and secret).
    var inboxJSON: JSONValue {
        [
            "id": .int(self.setup.inboxID),
            "avatar_url": "",
            "channel_id": .int(self.setup.channelID),
            "name": .string(self.setup.inboxName),
            "channel_type": "Channel::Api",
            "greeting_enabled": false,
            "greeting_message": nil,
            "working_hours_enabled": false,
            "enable_email_collect": true,
            "csat_survey_enabled": false,
            "enable_auto_assignment": false,
            "auto_assignment_config": [:],
            "out_of_office_message": nil,
            "working_hours": [],
            "timezone": "UTC",
            "callback_webhook_url": nil,
            "allow_messages_after_resolved": true,
            "lock_to_single_conversation": false,
            "sender_name_type": "friendly",
            "business_name": nil,
            "webhook_url": .optional(self.setup.webhookURL),
            "inbox_identifier": "simulated-api-inbox",
            "additional_attributes": [:],
            "hmac_mandatory": false,
            "hmac_token": "simulated-hmac-token",
            "secret": .optional(self.setup.webhookSecret),
        ]
    }

    /// A team as `GET teams` renders it (`is_member` for the token's owner).
    func teamJSON(_ team: TeamRecord) -> JSONValue {
        [
            "id": .int(team.id),
            "name": .string(team.name),
            "description": .string(team.description),
            "allow_auto_assign": .bool(team.allowAutoAssign),
            "account_id": .int(self.setup.accountID),
            "is_member": .bool(self.setup.apiUser.teams.contains(team.id)),
        ]
    }

    /// The raw team row, as `POST assignments {team_id}` renders it.
    func teamRecordJSON(_ team: TeamRecord) -> JSONValue {
        [
            "id": .int(team.id),
            "name": .string(team.name),
            "description": .string(team.description),
            "allow_auto_assign": .bool(team.allowAutoAssign),
            "account_id": .int(self.setup.accountID),
            "created_at": .string(team.createdAt.iso8601),
            "updated_at": .string(team.createdAt.iso8601),
        ]
    }

    /// The `_agent` partial (`GET agents`, `POST assignments {assignee_id}`, a conversation's `meta.assignee`).
    func agentJSON(_ user: SimulatedAgent) -> JSONValue {
        [
            "id": .int(user.id),
            "account_id": .int(self.setup.accountID),
            "availability_status": "online",
            "auto_offline": true,
            "confirmed": true,
            "email": .string(user.email),
            "provider": "email",
            "available_name": .string(user.availableName),
            "name": .string(user.name),
            "role": .string(user.role.rawValue),
            "thumbnail": "",
        ]
    }

    /// `User#push_event_data` (message senders, webhook `meta.assignee`).
    func userPushData(_ user: SimulatedAgent) -> JSONValue {
        [
            "id": .int(user.id),
            "name": .string(user.name),
            "available_name": .string(user.availableName),
            "avatar_url": "",
            "type": "user",
            "availability_status": "online",
            "thumbnail": "",
        ]
    }

    /// `User#webhook_data` (the sender of `message_created`).
    func userWebhookData(_ user: SimulatedAgent) -> JSONValue {
        ["id": .int(user.id), "name": .string(user.name), "email": .string(user.email), "type": "user"]
    }

    /// `AgentBot#push_event_data`.
    func botPushData(_ bot: SimulatedAgentBot) -> JSONValue {
        ["id": .int(bot.id), "name": .string(bot.name), "avatar_url": "", "type": "agent_bot"]
    }

    /// `AgentBot#webhook_data`.
    func botWebhookData(_ bot: SimulatedAgentBot) -> JSONValue {
        ["id": .int(bot.id), "name": .string(bot.name), "type": "agent_bot"]
    }
}
