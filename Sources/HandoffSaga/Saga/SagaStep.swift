/// The moments of the saga's work where a crash leaves the most to recover, reported to an observer as they pass.
///
/// handoffd does not observe them; the crash tests do, to kill the process exactly there and check that a restart
/// completes every handoff with nothing duplicated and nothing missing.
public enum SagaStep: String, Sendable, Hashable, CaseIterable {
    /// The saga committed a page's commands to the outbox together with its checkpoint.
    case outboxCommitted = "after-outbox-commit"
    /// The dispatcher marked commands in flight and has not sent them yet.
    case claimed = "after-claim"
    /// The support system answered and the outcomes are not recorded yet.
    case answered = "after-answer"
}
