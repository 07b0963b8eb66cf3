import Foundation

/// The report directory on disk: made with its parents, whole files replaced atomically.
package enum ReportDirectory {
    /// Makes `path` and its missing parents; each failure names the part of the path
    /// that is in the way.
    package static func make(_ path: String) throws(ReportError) {
        guard !path.isEmpty else { throw ReportError(path: path, message: "the report directory path is empty") }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            if component == "." || component == ".." { continue }
            try makeOne(prefix, whole: path)
        }
    }

    private static func makeOne(_ path: String, whole: String) throws(ReportError) {
        var status = stat()
        if stat(path, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFDIR else {
                let what =
                    path == whole ? "is a file, not a directory" : "is a file, so \(whole) cannot be made under it"
                throw ReportError(path: path, message: what + "; give --report the path of a directory")
            }
            return
        }
        if mkdir(path, 0o755) == 0
            || errno == EEXIST && stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
        {
            return
        }
        let code = errno
        var message = "cannot create the report directory: " + String(cString: strerror(code))
        switch code {
        case EACCES, EPERM, EROFS: message += " (check the permissions of the directory it goes in)"
        case ENOTDIR: message += " (a part of the path is a file)"
        default: break
        }
        throw ReportError(path: path, message: message)
    }

    /// Removes the files that exist of `paths`.
    static func remove(_ paths: [String]) throws(ReportError) {
        for path in paths where unlink(path) != 0 && errno != ENOENT {
            throw ReportRowSink.error(path, "cannot remove the previous run's file", errno)
        }
    }

    /// Writes `text` to `path` through a temporary file renamed over it, so a reader
    /// sees the old file or the whole new one.
    package static func write(_ text: String, to path: String) throws(ReportError) {
        let temporary = path + ".partial"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ReportRowSink.error(path, "cannot create the file", errno) }
        let failure = Array(text.utf8).withUnsafeBytes { ReportRowSink.writeAll(descriptor, $0) }
        let closed = close(descriptor) == 0 ? 0 : errno
        guard failure == 0, closed == 0, rename(temporary, path) == 0 else {
            let code = failure != 0 ? failure : closed != 0 ? closed : errno
            unlink(temporary)
            throw ReportRowSink.error(path, "cannot write", code)
        }
    }
}
