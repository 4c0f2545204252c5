import Foundation
import Logging

// handoffd: reads its configuration, assembles the services and runs them until SIGINT or SIGTERM.

let arguments = Array(CommandLine.arguments.dropFirst())
let configuration: HandoffConfiguration
do {
    if try LaunchOptions(arguments: arguments).help {
        print(LaunchOptions.usage)
        exit(0)
    }
    configuration = try HandoffConfiguration.load(arguments: arguments, environment: ProcessInfo.processInfo.environment)
} catch {
    FileHandle.standardError.write(Data("handoffd: refusing to start: \(error)\n".utf8))
    exit(2)
}

let logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardOutput(label: label)
    handler.logLevel = logLevel
    return handler
}
let logger = Logger(label: "handoffd")
logger.info("starting", metadata: ["configuration": .string(configuration.description)])
for notice in configuration.notices {
    logger.notice("feature disabled", metadata: ["reason": .string(notice)])
}

do {
    let service = try await HandoffService.assemble(configuration: configuration, logger: logger)
    let banner = Task {
        guard let port = try? await service.readiness.port() else { return }
        print(StartupReport.banner(configuration, port: port).joined(separator: "\n"))
    }
    try await service.run()
    banner.cancel()
    logger.info("stopped")
} catch {
    logger.critical("handoffd stopped on an error", metadata: ["error": .string(String(describing: error))])
    exit(1)
}
