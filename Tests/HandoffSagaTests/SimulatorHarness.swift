import AsyncHTTPClient
import ChatwootSimulator
import EventStore
import Foundation
import HandoffSaga

/// A simulator on an ephemeral loopback port and a client configured for it; stopped by ``stop()``.
struct SimulatorHarness {
    static let token = "test-token"

    let simulator: ChatwootSimulator
    let client: ChatwootClient

    /// Starts a simulator with teams 1, 4, 7 and 9 and a client with the given timeout.
    static func start(
        timeout: Duration = .seconds(5), configure: (inout SimulatorConfiguration) -> Void = { _ in }
    ) async throws -> SimulatorHarness {
        var configuration = SimulatorConfiguration(apiToken: token)
        configure(&configuration)
        let simulator = ChatwootSimulator(configuration: configuration)
        let port = try await simulator.start()
        let client = ChatwootClient(
            configuration: ChatwootConfiguration(
                baseURL: "http://127.0.0.1:\(port)", accountID: 1, inboxID: 1, apiToken: token, timeout: timeout))
        return SimulatorHarness(simulator: simulator, client: client)
    }

    /// A client of the same simulator with other settings.
    func client(token: String = SimulatorHarness.token, timeout: Duration = .seconds(5)) -> ChatwootClient {
        ChatwootClient(
            configuration: ChatwootConfiguration(
                baseURL: client.configuration.baseURL, accountID: 1, inboxID: 1, apiToken: token, timeout: timeout))
    }

    func stop() async {
        await simulator.stop()
    }

    /// A contact and a conversation in inbox 1, as the saga creates them.
    func contactAndConversation(identifier: String = "user-\(UUID().uuidString.prefix(8))") async throws
        -> (contact: ChatwootCreatedContact, conversation: ChatwootConversation)
    {
        let sourceID = SupportMarker.sessionSourceID(conversationID: identifier, session: 1)
        let contact = try await client.createContact(
            ChatwootNewContact(inboxID: 1, sourceID: sourceID, name: "Jane Doe", identifier: identifier))
        let conversation = try await client.createConversation(
            ChatwootNewConversation(
                sourceID: sourceID, inboxID: 1, contactID: contact.contact.id, status: .open,
                customAttributes: [SupportMarker.conversationAttribute: .string(identifier)]))
        return (contact, conversation)
    }
}
