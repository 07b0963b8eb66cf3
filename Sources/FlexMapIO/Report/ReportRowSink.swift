import Foundation

/// One row file of a report, appended through a buffer with write(2). It only ever
/// grows, so its size is known without asking the file system, and a checkpoint is
/// that size.
package final class ReportRowSink {
    package let path: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    /// Bytes handed to the kernel.
    private var written: Int64
    /// Whether bytes were written since the last sync.
    private var unsynced = false

    /// Rows are gathered up to this many bytes, then written in one call.
    static let bufferLimit = 1 << 16

    /// A fresh file at `path` (any earlier one is emptied) holding `header`.
    package init(creating path: String, header: [UInt8]) throws(ReportError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        written = 0
        guard descriptor >= 0 else { throw Self.error(path, "cannot create the file", errno) }
        buffer.reserveCapacity(Self.bufferLimit)
        buffer.append(contentsOf: header)
    }

    /// The file of an interrupted run, cut back to `size` (what the last committed batch
    /// had written); rows are appended from there. The file must be at least that long
    /// and, when it holds any row, begin with `header`.
    init(resuming path: String, size: Int64, header: [UInt8]) throws(ReportError) {
        self.path = path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        written = size
        guard descriptor >= 0 else { throw Self.error(path, "cannot open the file to resume", errno) }
        buffer.reserveCapacity(Self.bufferLimit)
        do throws(ReportError) {
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { throw Self.error(path, "cannot read the file's size", errno) }
            guard (status.st_mode & S_IFMT) == S_IFREG else {
                throw ReportError(
                    path: path, message: "is not a regular file; remove it or give --report another directory")
            }
            guard Int64(status.st_size) >= size else {
                throw ReportError(
                    path: path,
                    message: "holds \(status.st_size) bytes but the checkpoint of the interrupted run says \(size): "
                        + "the report directory changed since; run again without --resume, or with another --report directory"
                )
            }
            if size > 0 && !header.isEmpty {
                var start = [UInt8](repeating: 0, count: min(header.count, Int(size)))
                let count = pread(descriptor, &start, start.count, 0)
                guard count == start.count, start == Array(header.prefix(start.count)) else {
                    throw ReportError(
                        path: path,
                        message: "does not start with this input's header, so it belongs to another run; "
                            + "run again without --resume, or with another --report directory")
                }
            }
            guard ftruncate(descriptor, off_t(size)) == 0 else {
                throw Self.error(path, "cannot cut the file back to the checkpoint", errno)
            }
            guard lseek(descriptor, off_t(size), SEEK_SET) >= 0 else { throw Self.error(path, "cannot seek", errno) }
        } catch {
            Foundation.close(descriptor)
            throw error
        }
        if size == 0 { buffer.append(contentsOf: header) }
    }

    deinit {
        // A run that stops without finish() still leaves the rows it reported.
        if descriptor >= 0 {
            _ = try? flush()
            Foundation.close(descriptor)
        }
    }

    /// Bytes in the file once the buffer is written.
    package var size: Int64 { written + Int64(buffer.count) }

    /// Appends bytes from `body`, writing the buffer out when it is full.
    package func append(_ body: (inout [UInt8]) -> Void) throws(ReportError) {
        body(&buffer)
        if buffer.count >= Self.bufferLimit { try flush() }
    }

    /// Hands the buffer to the kernel.
    func flush() throws(ReportError) {
        guard !buffer.isEmpty else { return }
        let failure = buffer.withUnsafeBytes { Self.writeAll(descriptor, $0) }
        guard failure == 0 else { throw Self.error(path, "cannot write", failure) }
        written += Int64(buffer.count)
        // One huge record must not keep a huge buffer for the rest of the run.
        buffer.removeAll(keepingCapacity: buffer.capacity <= 4 * Self.bufferLimit)
        unsynced = true
    }

    /// Flushes, and with `durable` makes the bytes reach the disk (so the size a batch
    /// commits with holds even after a power cut). Returns the size.
    func checkpoint(durable: Bool) throws(ReportError) -> Int64 {
        try flush()
        if durable && unsynced {
            guard fdatasync(descriptor) == 0 else { throw Self.error(path, "cannot sync to disk", errno) }
            unsynced = false
        }
        return written
    }

    package func close() throws(ReportError) {
        guard descriptor >= 0 else { return }
        defer { descriptor = -1 }
        do throws(ReportError) {
            try flush()
        } catch {
            Foundation.close(descriptor)
            throw error
        }
        guard Foundation.close(descriptor) == 0 else { throw Self.error(path, "cannot close", errno) }
    }

    /// Writes all of `bytes`; returns 0, or the errno of the failure.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let count = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += count
        }
        return 0
    }

    static func error(_ path: String, _ what: String, _ code: Int32) -> ReportError {
        var message = what + ": " + String(cString: strerror(code))
        switch code {
        case EACCES, EPERM, EROFS: message += " (check that the report directory is writable)"
        case ENOSPC, EDQUOT: message += " (the disk is full)"
        default: break
        }
        return ReportError(path: path, message: message)
    }
}
