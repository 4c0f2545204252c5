import EventStore
import Foundation

/// A realistic conversation log for benchmarks: sessions of user and bot messages, skills, handoffs with routing
/// decisions, agents, transfers and closes, spread over many conversations and interleaved in time.
struct ConversationLog {
    /// Skills the bot works on, and the team the benchmark's routing decision records for each (nil: default team).
    static let skills: [(name: String, team: Int?)] = [
        ("acme.shop.Refund", 3), ("acme.billing.Invoice", 3), ("acme.shop.Delivery", 4),
        ("me.test.supportDemo.TestSkill", 7), ("acme.shop.Warranty", nil), ("acme.account.Password", nil),
    ]
    static let agents: [(id: Int, name: String)] = [(11, "Ada"), (12, "Bo"), (13, "Cy"), (14, "Dee"), (15, "Eve")]
    static let defaultTeam = 1

    private let codec = EventCodec()
    private var generator: SeededGenerator

    init(seed: UInt64 = 7) { generator = SeededGenerator(seed: seed) }

    /// The events of `count` conversations, `perConversation` events each, as `(stream, events)`.
    mutating func conversations(_ count: Int, perConversation: Int) throws -> [(StreamID, [EventData])] {
        try (0..<count).map { index in
            let id = "c-" + Workload.padded(index, 7)
            return (try StreamID.conversation(id), try script(id, events: perConversation, index: index))
        }
    }

    /// One conversation's events, exactly `count` of them.
    private mutating func script(_ id: String, events count: Int, index: Int) throws -> [EventData] {
        var events: [EventData] = []
        var clock = Date(timeIntervalSince1970: 1_795_000_000 + Double(index) * 7)
        var message = 0
        func add(_ event: ConversationEvent, _ actor: String, _ generator: inout SeededGenerator) throws {
            clock.addTimeInterval(Double(generator.next() % 90) + 1)
            events.append(
                try codec.encode(
                    event, eventID: UUID(generator: &generator), occurredAt: clock,
                    metadata: EventMetadata(correlationId: "\(id)-\(events.count)", actor: actor)))
        }
        try add(.conversationStarted(ConversationStarted(channel: "web", userId: "u-\(index)")), "bot-platform", &generator)
        while events.count < count {
            // One session: a few exchanges with the bot, a skill, perhaps a handoff.
            for _ in 0..<(1 + generator.next() % 3) {
                message += 1
                try add(.userMessage(UserMessage(messageId: "m-\(message)", text: "question \(message) about my order")), "bot-platform", &generator)
                message += 1
                try add(.botMessage(BotMessage(messageId: "m-\(message)", text: "answer \(message)")), "bot-platform", &generator)
            }
            let skill = Self.skills[Int(generator.next() % UInt64(Self.skills.count))]
            try add(.skillStarted(SkillChange(skill: skill.name)), "bot-platform", &generator)
            guard generator.next() % 10 < 6 else {
                try add(.skillCompleted(SkillChange(skill: skill.name)), "bot-platform", &generator)
                try add(.sessionClosed(SessionClosed(by: .timeout, reason: "idle")), "bot-platform", &generator)
                continue
            }
            let choice = generator.next() % 10
            let request: HandoffRequested
            let decision: HandoffRouted
            switch choice {
            case 0:
                request = HandoffRequested(reason: "bot_failed", team: 7, teamChosenBy: .bot)
                decision = HandoffRouted(team: 7, rule: "explicit", routingVersion: 1)
            case 1:
                request = HandoffRequested(reason: "user_asked", team: 4, teamChosenBy: .user)
                decision = HandoffRouted(team: 4, rule: "user_choice", routingVersion: 1)
            default:
                request = HandoffRequested(reason: choice < 6 ? "bot_failed" : "user_asked")
                decision =
                    if let team = skill.team {
                        HandoffRouted(team: team, rule: "skill:\(skill.name)", routingVersion: 1)
                    } else {
                        HandoffRouted(team: Self.defaultTeam, rule: "default", routingVersion: 1)
                    }
            }
            try add(.handoffRequested(request), "bot-platform", &generator)
            try add(.handoffRouted(decision), "saga", &generator)
            let agent = Self.agents[Int(generator.next() % UInt64(Self.agents.count))]
            try add(.agentAssigned(AgentAssigned(agentId: agent.id, agentName: agent.name)), "chatwoot", &generator)
            if generator.next() % 10 < 2 {
                try add(.agentTeamChanged(AgentTeamChanged(team: [1, 3, 4, 7][Int(generator.next() % 4)])), "chatwoot", &generator)
                let next = Self.agents[Int(generator.next() % UInt64(Self.agents.count))]
                try add(.agentAssigned(AgentAssigned(agentId: next.id, agentName: next.name)), "chatwoot", &generator)
            }
            for _ in 0..<(1 + generator.next() % 2) {
                try add(.agentMessage(AgentMessage(messageId: 1000 + events.count, agentId: agent.id, text: "let me check")), "chatwoot", &generator)
                message += 1
                try add(.userMessage(UserMessage(messageId: "m-\(message)", text: "thanks")), "bot-platform", &generator)
            }
            try add(.sessionClosed(SessionClosed(by: .agent, reason: "resolved")), "chatwoot", &generator)
        }
        return Array(events.prefix(count))
    }
}
