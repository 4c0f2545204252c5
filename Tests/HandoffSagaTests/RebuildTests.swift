import ChatwootSimulator
import EventStore
import Foundation
import HandoffSaga
import Projections
import Testing
import TestSupport

/// `replay rebuild-support` at scale (DESIGN §9): the fixture conversations and a few dozen random handoffs are handed
/// over to one Chatwoot, that Chatwoot is lost, and a rebuild re-creates from the log alone what a new installation
/// must hold. The expectation is worked out here from the events (DESIGN §5, §6), not by the code under test.
@Suite("Rebuild of a lost Chatwoot", .serialized)
struct RebuildTests {
    /// The simulators' teams: the routing table's (1, 4, 7), team 3 of the fixtures' routing, and 9 for transfers.
    static let teams = [1, 3, 4, 7, 9]

    @Test("fixtures and random handoffs: a rebuild re-creates every handoff's conversation, and a second one changes nothing")
    func rebuildFixturesAndRandomHandoffs() async throws {
        let started = ContinuousClock.now
        let harness = try await Self.startHarness()

        // 1. The fixtures as they are (their agent-side events stand for what webhooks delivered), then random handoffs.
        var conversationIDs = try await Self.appendFixtures(harness)
        var generator = SeededRandom(seed: 0x5EED_2026_1124)
        let scripts = (1...40).map { RandomHandoff.make(index: $0, using: &generator) }
        conversationIDs += scripts.map(\.conversationID)
        for phase in 0..<RandomHandoff.phaseCount {
            for script in scripts where !script.phases[phase].isEmpty {
                try await harness.append(script.conversationID, script.phases[phase])
            }
            // The saga records each routing decision (and does its work) before agents act on the handoff.
            try await Self.settle(harness)
        }

        // Read the log: what Chatwoot must hold, per conversation and session.
        var expected: [String: ExpectedConversation] = [:]
        for id in conversationIDs { expected[id] = try await Self.expectation(harness, id) }
        // The random handoffs were routed where their requests and the routing table say (the generator's own model).
        for script in scripts {
            let routed = try #require(expected[script.conversationID]).sessions.map { $0.routedTeam }
            #expect(routed == script.intendedTeams, "\(script.conversationID)")
        }
        let sessions = expected.values.flatMap(\.sessions).sorted { ($0.conversationID, $0.session) < ($1.conversationID, $1.session) }
        // The mix is what the test is about: teams by table and by transfer, open and resolved, second sessions.
        #expect(Set(sessions.map(\.routedTeam)).isSuperset(of: [1, 3, 4, 7, 9]))
        #expect(sessions.contains { $0.team != $0.routedTeam })
        #expect(sessions.filter(\.resolved).count >= 10 && sessions.filter { !$0.resolved }.count >= 10)
        #expect(sessions.filter { $0.session > 1 }.count >= 5)
        #expect(sessions.contains { $0.lines.contains { $0.author == .agent } })
        let identifiers = Set(expected.values.filter { !$0.sessions.isEmpty }.map(\.identifier))
        #expect(identifiers.count < expected.values.filter { !$0.sessions.isEmpty }.count)  // some users have several

        // The original Chatwoot holds one conversation per handoff; remember their ids.
        var originalIDs: [SessionKey: Int] = [:]
        for session in sessions {
            originalIDs[session.key] = try await Self.conversation(harness.chatwoot.client, session.key)?.id
        }
        #expect(originalIDs.count == sessions.count)

        // 2. Chatwoot lost its data: a new installation, with its own ids.
        let fresh = try await SimulatorHarness.start { $0.teams = Self.teams }
        let unrelated = try await fresh.contactAndConversation(identifier: "someone-else")

        // 3. Rebuild everything.
        let rebuild = SupportRebuild(store: harness.store, outbox: harness.outbox)
        let dispatcher = Dispatcher(
            store: harness.store, outbox: harness.outbox, support: ChatwootSupportSystem(client: fresh.client), bot: nil,
            configuration: Dispatcher.Configuration(retry: SagaHarness.fastRetries, concurrency: 8, idleInterval: .milliseconds(5)))
        let plan = try await rebuild.plan(RebuildSelection(), generation: "rebuild-1")
        #expect(Set(plan.items.map { SessionKey(conversationID: $0.conversationID, session: $0.session) }) == Set(sessions.map(\.key)))
        #expect(try await rebuild.enqueue(plan) == plan.commands.count)
        try await Self.carryOut(plan, rebuild: rebuild, dispatcher: dispatcher)

        // 4. The new Chatwoot holds what the log says, and nothing else.
        let first = try await Self.observe(fresh, sessions: sessions, expected: expected, unrelated: unrelated.conversation.id)
        for session in sessions {
            let rebuilt = try #require(first.conversations[session.key], "\(session.key)")
            #expect(rebuilt.lines == session.lines.map(\.posted), "\(session.key)")
            #expect(rebuilt.team == session.team, "\(session.key)")
            #expect(rebuilt.status == (session.resolved ? .resolved : .open), "\(session.key)")
            #expect(rebuilt.contactID == first.contacts[try #require(expected[session.conversationID]).identifier], "\(session.key)")
        }
        let stats = fresh.simulator.stats()
        #expect(stats.duplicateMessageSourceIDs.isEmpty)
        #expect(stats.duplicateConversationSourceIDs.isEmpty)
        #expect(stats.creates.conversations == sessions.count + 1)
        #expect(stats.creates.contacts == identifiers.count + 1)
        #expect(stats.creates.messages == sessions.map(\.lines.count).reduce(0, +))

        // 6. The log recorded the new ids, after the original ones.
        for id in conversationIDs {
            let log = try await Self.expectation(harness, id)
            for session in log.sessions {
                let opened = (log.opened[session.session] ?? []).map(Optional.some)
                #expect(opened == [originalIDs[session.key], first.conversations[session.key]?.id], "\(session.key)")
            }
            if !log.sessions.isEmpty { #expect(log.contactIDs.last == first.contacts[log.identifier], "\(id)") }
        }

        // 5. A second rebuild (another generation) finds everything and changes nothing.
        let again = try await rebuild.plan(RebuildSelection(), generation: "rebuild-2")
        #expect(again.items.count == plan.items.count)
        #expect(try await rebuild.enqueue(again) == again.commands.count)
        try await Self.carryOut(again, rebuild: rebuild, dispatcher: dispatcher)
        let second = try await Self.observe(fresh, sessions: sessions, expected: expected, unrelated: unrelated.conversation.id)
        #expect(second == first)
        let statsAgain = fresh.simulator.stats()
        #expect(statsAgain.creates == stats.creates)
        #expect(statsAgain.duplicateMessageSourceIDs.isEmpty && statsAgain.duplicateConversationSourceIDs.isEmpty)
        for id in conversationIDs {
            let log = try await Self.expectation(harness, id)
            for session in log.sessions {
                #expect(log.opened[session.session]?.last == first.conversations[session.key]?.id, "\(session.key)")
            }
        }
        await fresh.stop()
        await harness.stop()
        print("RebuildTests: \(sessions.count) handoffs of \(conversationIDs.count) conversations, \(plan.commands.count) commands a rebuild, in \(ContinuousClock.now - started)")
    }
}

// MARK: - Setting up

extension RebuildTests {
    /// A ``SagaHarness`` whose simulator knows the fixtures' team 3, on a store that does not sync every commit.
    static func startHarness() async throws -> SagaHarness {
        let folder = try TemporaryDirectory()
        let store = try SQLiteEventStore(path: folder.path("events.sqlite"), configuration: .init(durability: .normal))
        let outbox = Outbox(store: store)
        try await outbox.prepare()
        let chatwoot = try await SimulatorHarness.start { $0.teams = teams }
        let harness = SagaHarness(
            folder: folder, store: store, outbox: outbox,
            processor: SagaProcessor(store: store, outbox: outbox, relaysToBot: false),
            dispatcher: Dispatcher(
                store: store, outbox: outbox, support: ChatwootSupportSystem(client: chatwoot.client), bot: nil,
                configuration: Dispatcher.Configuration(retry: SagaHarness.fastRetries, concurrency: 8, idleInterval: .milliseconds(5))),
            chatwoot: chatwoot)
        let table = try RoutingTable(
            jsonData: Data(#"{"defaultTeam": 1, "teams": [{"team": 4, "skills": ["acme.billing.*"]}, {"team": 7, "skills": ["acme.shop.Refund"]}]}"#.utf8))
        _ = try await store.append([table.eventData(eventID: UUID(), occurredAt: Date())], to: .routing, expected: .any)
        return harness
    }

    /// Appends c-01 ... c-12 line by line (a redelivered line is stored once).
    static func appendFixtures(_ harness: SagaHarness) async throws -> [String] {
        var ids: [String] = []
        for number in 1...12 {
            let name = String(format: "c-%02d", number)
            let lines = try String(contentsOf: fixturesFolder().appendingPathComponent("conversations/\(name).jsonl"), encoding: .utf8)
                .split(separator: "\n")
            for line in lines {
                let wire = try WireEvent.decode(Data(line.utf8))
                _ = try await harness.store.append([try wire.eventData()], to: try StreamID.conversation(try #require(wire.conversationID)))
            }
            ids.append(name)
        }
        return ids
    }

    /// Runs the saga and the harness's dispatcher until nothing is left; nothing may end dead.
    static func settle(_ harness: SagaHarness) async throws {
        try await harness.settle(within: .seconds(60))
        let depth = try await harness.outbox.depth()
        #expect((depth[.pending] ?? 0) == 0 && (depth[.inFlight] ?? 0) == 0 && (depth[.dead] ?? 0) == 0, "\(depth)")
    }

    /// Dispatches until every command of the plan is done (or dead: then the test fails, naming them).
    static func carryOut(_ plan: RebuildPlan, rebuild: SupportRebuild, dispatcher: Dispatcher) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        var progress: [OutboxState: Int] = [:]
        while ContinuousClock.now < deadline {
            if try await dispatcher.runOnce() == 0 { try await Task.sleep(for: .milliseconds(5)) }
            progress = try await rebuild.progress(plan)
            if (progress[.done] ?? 0) + (progress[.dead] ?? 0) == plan.commands.count { break }
        }
        #expect(progress[.done] == plan.commands.count, "\(progress)")
        #expect(progress[.dead] == nil, "\(progress)")
    }
}

// MARK: - The expectation, from the log

extension RebuildTests {
    /// A session of a conversation.
    struct SessionKey: Hashable, Comparable, CustomStringConvertible {
        var conversationID: String
        var session: Int

        static func < (a: SessionKey, b: SessionKey) -> Bool { (a.conversationID, a.session) < (b.conversationID, b.session) }
        var description: String { "\(conversationID) session \(session)" }
    }

    /// One message of a support conversation's transcript.
    struct TranscriptLine: Hashable, CustomStringConvertible {
        enum Author: String { case user, bot, agent }
        /// Who wrote it (in the log); Chatwoot shows users' messages as incoming, the bot's and agents' as outgoing.
        var author: Author
        var text: String

        /// How the rebuild posts it: users' messages incoming, the bot's and agents' outgoing.
        var posted: PostedLine { PostedLine(messageType: author == .user ? .incoming : .outgoing, text: text) }
        var description: String { "\(author): \(text)" }
    }

    /// A message as Chatwoot shows it: its direction and text (the API user posts both the bot's and agents' lines).
    struct PostedLine: Hashable, CustomStringConvertible {
        var messageType: ChatwootMessageType
        var text: String

        var description: String { "\(messageType.name): \(text)" }
    }

    /// What Chatwoot must hold for one handed-over session.
    struct ExpectedSession {
        var conversationID: String
        var session: Int
        var routedTeam: Int
        /// The session's messages in log order: before the handoff (the transcript), while people owned it, agents' own.
        var lines: [TranscriptLine] = []
        /// The last team the log gives it: the routed one, then transfers and assignments within a team.
        var team: Int
        /// Whether the log closed the session after the handoff (by anyone: Chatwoot must show it resolved).
        var resolved = false

        var key: SessionKey { SessionKey(conversationID: conversationID, session: session) }
    }

    /// One conversation's log, read for the test.
    struct ExpectedConversation {
        /// The contact's identifier: the bot platform's user id, else the conversation id.
        var identifier: String
        var name: String?
        /// The sessions that were handed over.
        var sessions: [ExpectedSession]
        /// By session: the Chatwoot conversation ids the log recorded (`support.conversation_opened`), in order.
        var opened: [Int: [Int]]
        /// The Chatwoot contact ids the log recorded (`support.contact_ready`), in order.
        var contactIDs: [Int]
    }
}

extension RebuildTests {
    /// Folds a conversation's log by DESIGN §6, on its own: sessions, who owns them, their messages and teams.
    static func expectation(_ harness: SagaHarness, _ conversationID: String) async throws -> ExpectedConversation {
        enum Mode { case bot, routing, queued, withAgent, closed }
        let records = try await harness.store.readStream(try StreamID.conversation(conversationID), from: 0, limit: 10_000)
        var session = 0
        var mode = Mode.bot
        var team: Int?
        var userID: String?
        var name: String?
        var lines: [Int: [TranscriptLine]] = [:]
        var handedOver: [Int: ExpectedSession] = [:]
        var sessionOfEvent: [UUID: Int] = [:]
        var opened: [Int: [Int]] = [:]
        var contactIDs: [Int] = []
        func openSession() {
            session += 1
            mode = .bot
            team = nil
        }
        for record in records {
            let event = try harness.codec.decode(record)
            if session == 0 { openSession() }
            switch event {
            case .conversationStarted(let started):
                userID = started.userId ?? userID
                name = started.user?.name ?? name
            case .userMessage(let message):
                if mode == .closed { openSession() }
                lines[session, default: []].append(TranscriptLine(author: .user, text: message.text))
            case .botMessage(let message):
                lines[session, default: []].append(TranscriptLine(author: .bot, text: message.text))
            case .agentMessage(let message):
                lines[session, default: []].append(TranscriptLine(author: .agent, text: message.text))
            case .handoffRequested:
                if mode == .closed { openSession() }
                if mode == .bot { mode = .routing }
            case .handoffRouted(let routed):
                guard mode == .routing else { break }
                mode = .queued
                team = routed.team
                handedOver[session] = ExpectedSession(
                    conversationID: conversationID, session: session, routedTeam: routed.team, team: routed.team)
            case .agentAssigned(let assigned):
                guard mode != .closed else { break }
                if assigned.agentId != nil {
                    mode = .withAgent
                    team = assigned.team ?? team
                } else if mode == .withAgent {
                    mode = .queued
                }
            case .agentTeamChanged(let changed):
                guard mode != .closed else { break }
                mode = .queued
                team = changed.team
            case .sessionClosed:
                if mode != .closed, handedOver[session] != nil { handedOver[session]?.resolved = true }
                mode = .closed
            case .conversationOpened(let event):
                opened[sessionOfEvent[event.causationEventId] ?? session, default: []].append(event.conversationId)
            case .contactReady(let event):
                contactIDs.append(event.contactId)
            default:
                break
            }
            sessionOfEvent[record.eventID] = session
            if mode != .closed, let current = team, handedOver[session] != nil { handedOver[session]?.team = current }
        }
        let sessions = handedOver.values.sorted { $0.session < $1.session }.map { handoff in
            var handoff = handoff
            handoff.lines = lines[handoff.session] ?? []
            return handoff
        }
        return ExpectedConversation(
            identifier: userID ?? conversationID, name: name, sessions: sessions, opened: opened, contactIDs: contactIDs)
    }
}

// MARK: - What Chatwoot holds

extension RebuildTests {
    /// A support conversation as the test reads it back.
    struct ObservedConversation: Equatable {
        var id: Int
        var status: ChatwootStatus
        var team: Int?
        var contactID: Int?
        /// Every message, activity included, as Chatwoot lists it (ids and all).
        var messages: [ChatwootMessage]

        /// The transcript: the messages but Chatwoot's activity notes.
        var lines: [PostedLine] {
            messages.filter { $0.messageType != .activity }.map { PostedLine(messageType: $0.messageType, text: $0.content ?? "") }
        }
    }

    /// A Chatwoot installation as the test reads it back.
    struct ObservedInstallation: Equatable {
        var conversations: [SessionKey: ObservedConversation]
        /// Contact id by identifier.
        var contacts: [String: Int]
    }
}

extension RebuildTests {
    /// The conversation of one session, by its `source_id`, if there is exactly one (more is an error).
    static func conversation(_ client: ChatwootClient, _ key: SessionKey) async throws -> ChatwootConversation? {
        let found = try await client.conversations(
            ChatwootConversationQuery(sourceID: SupportMarker.sessionSourceID(conversationID: key.conversationID, session: key.session))
        ).conversations
        #expect(found.count <= 1, "\(key): \(found.map(\.id))")
        return found.first
    }

    /// Reads every expected session's conversation and contact, and checks that Chatwoot holds no other conversation
    /// than those and `unrelated`, and one contact per user.
    static func observe(
        _ chatwoot: SimulatorHarness, sessions: [ExpectedSession], expected: [String: ExpectedConversation], unrelated: Int
    ) async throws -> ObservedInstallation {
        let client = chatwoot.client
        var conversations: [SessionKey: ObservedConversation] = [:]
        for session in sessions {
            guard let found = try await conversation(client, session.key) else {
                Issue.record("\(session.key): no Chatwoot conversation")
                continue
            }
            let current = try await client.conversation(id: found.id)
            var messages: [ChatwootMessage] = []
            while true {
                let page = try await client.messages(conversation: found.id, after: messages.last?.id ?? 0)
                messages += page
                if page.count < 100 { break }
            }
            conversations[session.key] = ObservedConversation(
                id: current.id, status: current.status, team: current.team?.id, contactID: current.contactID, messages: messages)
        }
        var all: [Int] = []
        for page in 1... {
            let listed = try await client.conversations(ChatwootConversationQuery(page: page))
            all += listed.conversations.map(\.id)
            if !listed.mayHaveMore { break }
        }
        #expect(all.sorted() == (conversations.values.map(\.id) + [unrelated]).sorted())

        var contacts: [String: Int] = [:]
        for conversation in expected.values where !conversation.sessions.isEmpty {
            let found = try await client.findContacts(identifier: conversation.identifier)
            #expect(found.count == 1, "\(conversation.identifier): \(found.map(\.id))")
            if let name = conversation.name { #expect(found.first?.name == name, "\(conversation.identifier)") }
            contacts[conversation.identifier] = found.first?.id
        }
        return ObservedInstallation(conversations: conversations, contacts: contacts)
    }
}

// MARK: - Random handoffs

extension RebuildTests {
    /// A random conversation with one or two handoffs, in phases: the events of a phase are appended together, and the
    /// saga settles between phases (it records the routing decision before agents act on the handoff).
    struct RandomHandoff {
        static let phaseCount = 4
        static let agents = [(11, "Ada"), (12, "Ben"), (13, "Cy"), (14, "Dee")]

        var conversationID: String
        /// 0: session 1 up to the handoff request; 1: people's side of it; 2: a second session up to its request (or a
        /// second session without a handoff); 3: people's side of that.
        var phases: [[ConversationEvent]] = Array(repeating: [], count: phaseCount)
        /// The team each handoff must be routed to, by the routing table of ``RebuildTests/startHarness()``.
        var intendedTeams: [Int] = []

        static func make(index: Int, using random: inout SeededRandom) -> RandomHandoff {
            let conversationID = String(format: "c-r-%02d", index)
            var script = RandomHandoff(conversationID: conversationID)
            var counter = 0
            func text(_ what: String) -> String {
                counter += 1
                return "\(conversationID) \(what) \(counter)"
            }
            var agentMessageID = 70_000 + index * 100

            // Who the user is: often one of a few returning users, sometimes anonymous, sometimes not even started.
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<6:
                let user = Int.random(in: 1...12, using: &random)
                script.phases[0].append(
                    .conversationStarted(ConversationStarted(channel: "web", userId: "u-pool-\(user)", user: UserProfile(name: "Pool User \(user)"))))
            case 6..<8:
                script.phases[0].append(.conversationStarted(ConversationStarted(channel: "web")))
            default:
                break  // started by its first event
            }

            /// Bot turns, skills and the request, ending in `handoff.requested`; returns the team it must go to.
            func botSession(opening: Bool) -> ([ConversationEvent], Int) {
                var events: [ConversationEvent] = []
                let turns = Int.random(in: opening ? 1...4 : 0...4, using: &random)
                for turn in 0..<turns {
                    // Some users say the same thing twice: the rebuild must post both.
                    let said = turn > 0 && Int.random(in: 0..<6, using: &random) == 0 ? "ok" : text("user says")
                    events.append(.userMessage(UserMessage(messageId: "m-\(counter)-\(turn)", text: said)))
                    if Int.random(in: 0..<10, using: &random) < 7 {
                        events.append(.botMessage(BotMessage(messageId: "b-\(counter)-\(turn)", text: text("bot answers"))))
                    }
                }
                let (skills, completed, tableTeam): ([String], [String], Int) =
                    switch Int.random(in: 0..<8, using: &random) {
                    case 0: ([], [], 1)
                    case 1: (["acme.billing.Invoice"], [], 4)
                    case 2: (["acme.shop.Refund"], [], 7)
                    case 3: (["ACME.Shop.refund"], [], 7)  // names compare case-insensitively
                    case 4: (["acme.shop.Delivery"], [], 1)
                    case 5: (["acme.shop.Refund"], ["acme.shop.Refund"], 1)  // finished: routes by default
                    case 6: (["acme.shop.Refund", "acme.billing.Payment"], [], 4)  // priority order of the table
                    default: (["acme.hr.Leave", "acme.shop.Refund"], [], 7)
                    }
                for skill in skills { events.append(.skillStarted(SkillChange(skill: skill))) }
                if Bool.random(using: &random) {
                    events.append(.botMessage(BotMessage(messageId: "b-\(counter)-s", text: text("bot in skill"), skill: skills.first)))
                }
                for skill in completed { events.append(.skillCompleted(SkillChange(skill: skill))) }
                switch Int.random(in: 0..<10, using: &random) {
                case 0:
                    events.append(.handoffRequested(HandoffRequested(reason: "bot_failed", team: 9, teamChosenBy: .bot)))
                    return (events, 9)
                case 1:
                    events.append(.handoffRequested(HandoffRequested(reason: "user_asked", team: 3, teamChosenBy: .user)))
                    return (events, 3)
                default:
                    events.append(.handoffRequested(HandoffRequested(reason: Bool.random(using: &random) ? "user_asked" : "bot_failed")))
                    return (events, tableTeam)
                }
            }

            /// People's side of a handoff: user messages while queued, an agent, replies, transfers; closed or not.
            func peopleSide(team routed: Int) -> (events: [ConversationEvent], closed: Bool) {
                var events: [ConversationEvent] = []
                var team = routed
                for _ in 0..<Int.random(in: 0...2, using: &random) {
                    events.append(.userMessage(UserMessage(messageId: "m-\(counter)-q", text: text("user waits"))))
                }
                if Int.random(in: 0..<10, using: &random) < 7 {
                    var agent = agents[Int.random(in: 0..<agents.count, using: &random)]
                    events.append(.agentAssigned(AgentAssigned(agentId: agent.0, agentName: agent.1, team: Bool.random(using: &random) ? team : nil)))
                    for _ in 0..<Int.random(in: 0...4, using: &random) {
                        if Bool.random(using: &random) {
                            agentMessageID += 1
                            events.append(.agentMessage(AgentMessage(messageId: agentMessageID, agentId: agent.0, agentName: agent.1, text: text("agent says"))))
                        } else {
                            events.append(.userMessage(UserMessage(messageId: "m-\(counter)-a", text: text("user replies"))))
                        }
                    }
                    if Int.random(in: 0..<4, using: &random) == 0 {
                        // A transfer: to another team, then (sometimes) an agent of that team takes it.
                        team = RebuildTests.teams.filter { $0 != team }[Int.random(in: 0..<4, using: &random)]
                        events.append(.agentTeamChanged(AgentTeamChanged(team: team)))
                        if Bool.random(using: &random) {
                            agent = agents[Int.random(in: 0..<agents.count, using: &random)]
                            events.append(.agentAssigned(AgentAssigned(agentId: agent.0, agentName: agent.1, team: team)))
                            agentMessageID += 1
                            events.append(.agentMessage(AgentMessage(messageId: agentMessageID, agentId: agent.0, agentName: agent.1, text: text("new agent says"))))
                        }
                    }
                    if Int.random(in: 0..<10, using: &random) == 0 {
                        events.append(.agentAssigned(AgentAssigned()))  // unassigned: back in the team's queue
                    }
                }
                switch Int.random(in: 0..<10, using: &random) {
                case 0..<4: events.append(.sessionClosed(SessionClosed(by: .agent, reason: "resolved")))
                case 4: events.append(.sessionClosed(SessionClosed(by: .user, reason: "left")))
                case 5: events.append(.sessionClosed(SessionClosed(by: .timeout, reason: "idle")))
                default: return (events, false)
                }
                return (events, true)
            }

            let (first, firstTeam) = botSession(opening: true)
            script.phases[0] += first
            script.intendedTeams.append(firstTeam)
            let (people, closed) = peopleSide(team: firstTeam)
            script.phases[1] = people
            guard closed else { return script }
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4:
                // The user comes back and is handed over again: a second session, a second support conversation.
                var second: [ConversationEvent] = [.userMessage(UserMessage(messageId: "m-\(counter)-back", text: text("user is back")))]
                let (more, secondTeam) = botSession(opening: false)
                second += more
                script.phases[2] = second
                script.intendedTeams.append(secondTeam)
                let secondPeople = peopleSide(team: secondTeam)
                script.phases[3] = secondPeople.events
            case 4..<6:
                // The user comes back and the bot copes: a second session without a handoff, nothing for Chatwoot.
                script.phases[2] = [
                    .userMessage(UserMessage(messageId: "m-\(counter)-back", text: text("user is back"))),
                    .botMessage(BotMessage(messageId: "b-\(counter)-back", text: text("bot copes"))),
                ]
            default:
                break
            }
            return script
        }
    }
}
