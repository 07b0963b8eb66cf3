import FlexMapCore
import FlexMapIO
import Foundation
import Synchronization

/// `flexmap serve`: `POST /api/contacts/flex` on libmicrohttpd, with the pipeline and
/// store `import` uses. Started by init; `shutdown()` stops accepting, answers and
/// commits what is in flight, and stops.
public final class WebhookServer: Sendable {
    public let configuration: ServeConfiguration
    private let daemon: HTTPDaemon
    private let handler: ServeHandler
    private let committer: ContactCommitter
    private let registry: RegistryWatcher
    private let capture: CaptureWriter?
    private let statistics = ServeStatistics()
    private let stopped = Mutex<ServeSummary?>(nil)

    /// What a server did, for the front end to print when it stops.
    public struct ServeSummary: Sendable, Equatable {
        public var statistics: ServeStatistics.Snapshot
        public var writer: ContactCommitter.Statistics
        public var captureLines: Int
        public var captureFailure: String?
        /// Requests still open when the drain timeout ran out (closed unanswered).
        public var abandoned: Int
    }

    /// Opens the store (it must exist: `flexmap init`), loads the registry and listens.
    public init(_ configuration: ServeConfiguration, events: @escaping @Sendable (ServeEvent) -> Void = { _ in }) throws
    {
        self.configuration = configuration
        registry = try RegistryWatcher(
            storePath: configuration.storePath, interval: configuration.registryReloadSeconds
        ) {
            switch $0 {
            case .reloaded(let count): events(.registryReloaded(mappings: count))
            case .failed(let message): events(.registryFailed(message))
            }
        }
        do {
            committer = try ContactCommitter(
                storePath: configuration.storePath, capacity: configuration.writerQueueCapacity,
                maxGroup: configuration.maxGroup)
        } catch {
            registry.stop()
            throw error
        }
        do {
            capture = try configuration.capturePath.map { try CaptureWriter(path: $0) }
        } catch {
            committer.close()
            registry.stop()
            throw error
        }
        handler = ServeHandler(
            configuration: configuration, committer: committer, registry: registry, capture: capture,
            statistics: statistics, events: events)
        do {
            daemon = try HTTPDaemon(options: configuration.http, handler: handler)
        } catch {
            committer.close()
            capture?.close()
            registry.stop()
            throw error
        }
    }

    deinit {
        shutdown()
    }

    public var port: UInt16 { daemon.port }

    /// `http://127.0.0.1:41234` (an IPv6 host in brackets).
    public var url: String {
        var host = configuration.http.host
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
        return "http://\(host):\(port)"
    }

    public var currentStatistics: ServeStatistics.Snapshot { statistics.snapshot }

    /// Stops accepting connections, lets the requests in flight finish (answers ask
    /// clients to close), commits and answers every queued contact, then stops the
    /// daemon. Safe to call more than once; later calls return the same summary.
    @discardableResult
    public func shutdown() -> ServeSummary {
        stopped.withLock { summary in
            if let summary { return summary }
            handler.draining.store(true, ordering: .relaxed)
            daemon.stopAccepting()
            waitForOpenRequests(seconds: configuration.drainTimeoutSeconds)
            // No contact is taken after this; the queued ones commit and are answered.
            committer.close()
            waitForOpenRequests(seconds: 5)
            let abandoned = daemon.openRequests
            daemon.stop()
            capture?.close()
            registry.stop()
            let status = capture?.status
            let result = ServeSummary(
                statistics: statistics.snapshot, writer: committer.snapshot, captureLines: status?.lines ?? 0,
                captureFailure: status?.failure, abandoned: abandoned)
            summary = result
            return result
        }
    }

    private func waitForOpenRequests(seconds: Double) {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while daemon.openRequests > 0 && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
    }
}
