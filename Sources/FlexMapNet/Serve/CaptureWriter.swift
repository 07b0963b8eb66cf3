import FlexMapCore
import Foundation

/// Appends capture lines (CaptureFormat, one request per line) to a file from one
/// thread: request threads queue lines, the writer writes everything queued with one
/// write(2) per group, so each line reaches the file within one group of being queued.
///
/// `@unchecked Sendable`: `lines`, `closed` and the counters are touched only while
/// `condition` is locked; the file descriptor is written only by the writer thread.
public final class CaptureWriter: @unchecked Sendable {
    public let path: String
    private let descriptor: Int32
    private let condition = NSCondition()
    private var lines: [String] = []
    private var closed = false
    private var written = 0
    private var failure: String?
    private let done = DispatchSemaphore(value: 0)
    private let capacity: Int

    /// Opens (creates, mode 0600) `path` for appending.
    public init(path: String, capacity: Int = 65_536) throws {
        self.path = path
        self.capacity = max(1, capacity)
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CaptureError(message: "\(path): cannot open the capture file: \(String(cString: strerror(errno)))")
        }
        let thread = Thread { [self] in self.run() }
        thread.name = "flexmap-serve-capture"
        thread.start()
    }

    /// Queues one request; waits while `capacity` lines are queued (the disk sets the pace).
    public func append(_ entry: CaptureFormat.Entry) {
        let line = CaptureFormat.encode(entry)
        condition.lock()
        defer { condition.unlock() }
        while lines.count >= capacity && !closed { condition.wait() }
        guard !closed else { return }
        lines.append(line)
        if lines.count == 1 { condition.broadcast() }
    }

    /// Writes what is queued, closes the file and waits for the writer thread.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        done.wait()
        done.signal()
    }

    /// Lines written so far, and the first write error.
    public var status: (lines: Int, failure: String?) {
        condition.lock()
        defer { condition.unlock() }
        return (written, failure)
    }

    private func run() {
        while true {
            condition.lock()
            while lines.isEmpty && !closed { condition.wait() }
            if lines.isEmpty && closed {
                condition.unlock()
                break
            }
            let group = lines
            lines.removeAll(keepingCapacity: true)
            condition.broadcast()
            condition.unlock()

            var text = group.joined(separator: "\n")
            text.append("\n")
            let error = writeAll(text)
            condition.lock()
            if let error {
                failure = failure ?? error
            } else {
                written += group.count
            }
            condition.unlock()
        }
        Foundation.close(descriptor)
        done.signal()
    }

    private func writeAll(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { buffer -> String? in
            var offset = 0
            while offset < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return "\(path): cannot write the capture file: \(String(cString: strerror(errno)))"
                }
                offset += count
            }
            return nil
        }
    }
}

public struct CaptureError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
