import Foundation

/// Reads a file or standard input in large chunks with read(2): streaming, so memory
/// does not grow with the input.
public final class ByteSource {
    /// The name errors use: the path, or "stdin".
    public let name: String
    /// The size in bytes when known (a regular file), for progress.
    public let size: Int64?
    public let isSeekable: Bool
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    /// Bytes handed out so far, counted from the start of the input.
    public private(set) var offset: Int64 = 0

    /// Opens `path`, or standard input for "-".
    public init(path: String) throws(InputError) {
        if path == "-" {
            name = "stdin"
            descriptor = 0
            ownsDescriptor = false
        } else {
            name = path
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                let code = errno
                throw InputError(
                    file: path, message: "cannot open: \(String(cString: strerror(code)))\(Self.hint(code))")
            }
            ownsDescriptor = true
        }
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG {
            size = Int64(status.st_size)
            isSeekable = true
        } else if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            if ownsDescriptor { close(descriptor) }
            throw InputError(file: path, message: "is a directory; give the path of a file")
        } else {
            size = nil
            isSeekable = false
        }
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    private static func hint(_ code: Int32) -> String {
        switch code {
        case ENOENT: return " (check the path)"
        case EACCES: return " (check the file's permissions)"
        default: return ""
        }
    }

    /// Continues reading at `position` (for --resume). Only regular files can seek.
    public func seek(to position: Int64) throws(InputError) {
        guard isSeekable else { throw InputError(file: name, message: "cannot resume from standard input or a pipe") }
        guard lseek(descriptor, off_t(position), SEEK_SET) >= 0 else {
            throw InputError(
                file: name, message: "cannot seek to byte \(position): \(String(cString: strerror(errno)))")
        }
        offset = position
    }

    /// Reads up to `buffer.count` bytes; returns 0 at the end of the input.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        while true {
            let count = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 {
                offset += Int64(count)
                return count
            }
            if errno == EINTR { continue }
            throw InputError(file: name, message: "read failed: \(String(cString: strerror(errno)))")
        }
    }
}
