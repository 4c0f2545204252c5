/// A configuration handoffd refuses to start with: which setting, and what is wrong with it.
struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The setting concerned (`HANDOFF_LISTEN`, `CHATWOOT_ACCOUNT_ID`, ...), or the option (`--config`).
    var setting: String
    /// What is wrong, for people. Never holds a secret's value.
    var message: String

    /// Creates an error.
    init(_ setting: String, _ message: String) {
        self.setting = setting
        self.message = message
    }

    /// `SETTING: message`.
    var description: String { "\(setting): \(message)" }
}
