public import Foundation

/// The repository's `fixtures` folder, found from the calling test file's path (tests only).
public func fixturesFolder(filePath: String = #filePath) -> URL {
    var folder = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    while folder.path != "/" {
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
            return folder.appendingPathComponent("fixtures")
        }
        folder = folder.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: "fixtures")
}
