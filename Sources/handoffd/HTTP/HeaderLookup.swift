import HTTPTypes
import Hummingbird

extension HTTPFields {
    /// The first value of the field named `name` (compared case-insensitively), or nil: for header names HTTPTypes
    /// does not predefine, without building a field name that could fail.
    func first(named name: String) -> String? {
        let lowercased = name.lowercased()
        return first { $0.name.canonicalName == lowercased }?.value
    }
}
