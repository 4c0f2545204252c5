import Synchronization

/// A bounded memory of recent `X-Chatwoot-Delivery` ids, to skip exact redeliveries before any work. The store's
/// idempotency (event ids derived from Chatwoot's ids) is what makes a redelivery harmless; this only saves the work.
final class RecentDeliveries: Sendable {
    private struct State {
        var ids: Set<String> = []
        var order: [String] = []
        var next = 0
    }

    private let state = Mutex(State())
    /// How many ids are remembered; the oldest is forgotten first.
    let capacity: Int
    /// Longer ids are not remembered (Chatwoot's are UUIDs).
    static let maxIDLength = 200

    /// Creates an empty memory of `capacity` ids.
    init(capacity: Int = 4096) { self.capacity = max(capacity, 1) }

    /// Whether `id` was remembered.
    func contains(_ id: String) -> Bool { state.withLock { $0.ids.contains(id) } }

    /// Remembers `id`, forgetting the oldest one when full.
    func remember(_ id: String) {
        guard !id.isEmpty, id.utf8.count <= Self.maxIDLength else { return }
        state.withLock { state in
            guard state.ids.insert(id).inserted else { return }
            if state.order.count < capacity {
                state.order.append(id)
            } else {
                state.ids.remove(state.order[state.next])
                state.order[state.next] = id
                state.next = (state.next + 1) % capacity
            }
        }
    }
}
