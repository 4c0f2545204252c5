/// Which record an API call created, for the simulator's create counters.
enum CreatedRecord: Sendable {
    case contact
    case contactInbox
    case conversation
    case message
}
