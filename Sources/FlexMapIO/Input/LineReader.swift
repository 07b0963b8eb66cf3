/// Splits a ByteSource into lines ending in "\n" (the "\n" is kept, so the exact bytes
/// of the input can be reproduced). A line longer than `maxLineBytes` is returned in
/// pieces flagged `isTruncated`, so memory stays bounded.
public final class LineReader {
    public struct Line {
        /// The line's bytes, including its "\n" when it has one.
        public var bytes: ArraySlice<UInt8>
        /// 1-based line number.
        public var number: Int
        /// Offset of the line's first byte in the input.
        public var startOffset: Int64
        /// Offset just past the line.
        public var endOffset: Int64 { startOffset + Int64(bytes.count) }
        /// True when this is not the whole line: it went on past the limit.
        public var isTruncated: Bool
    }

    public let source: ByteSource
    public let maxLineBytes: Int
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEOF = false
    private var nextNumber: Int
    private var nextOffset: Int64
    private var continuingLongLine = false
    /// Bytes from `start` known to hold no "\n", so a long line is scanned once, not once
    /// per chunk read.
    private var scanned = 0

    public init(source: ByteSource, maxLineBytes: Int = 16 << 20, chunkSize: Int = 1 << 20, firstLineNumber: Int = 1) {
        self.source = source
        self.maxLineBytes = maxLineBytes
        self.buffer = [UInt8](repeating: 0, count: max(chunkSize, 4096))
        self.nextNumber = firstLineNumber
        self.nextOffset = source.offset
    }

    /// The next line, or nil at the end of the input. Lines over the limit come back
    /// as several pieces with the same number, all but the last flagged truncated.
    public func next() throws(InputError) -> Line? {
        while true {
            if let newline = buffer[(start + scanned)..<end].firstIndex(of: UInt8(ascii: "\n")) {
                scanned = 0
                return take(upTo: newline + 1, truncated: false)
            }
            scanned = end - start
            if end - start >= maxLineBytes {
                let piece = take(upTo: start + maxLineBytes, truncated: true)
                scanned = end - start
                return piece
            }
            if atEOF {
                scanned = 0
                if start < end { return take(upTo: end, truncated: false) }
                return nil
            }
            try fill()
        }
    }

    private func take(upTo stop: Int, truncated: Bool) -> Line {
        let line = Line(
            bytes: buffer[start..<stop], number: nextNumber, startOffset: nextOffset, isTruncated: truncated)
        nextOffset += Int64(stop - start)
        start = stop
        if !truncated { nextNumber += 1 }
        return line
    }

    private func fill() throws(InputError) {
        if start > 0 {
            // Move what is left to the front.
            let remaining = end - start
            if remaining > 0 {
                buffer.withUnsafeMutableBufferPointer { pointer in
                    let base = pointer.baseAddress!
                    base.update(from: base + start, count: remaining)
                }
            }
            start = 0
            end = remaining
        }
        if end == buffer.count {
            buffer.append(contentsOf: repeatElement(0, count: buffer.count))
        }
        let result: Result<Int, InputError> = buffer.withUnsafeMutableBytes { pointer in
            Result { () throws(InputError) in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: pointer[end...]))
            }
        }
        let count = try result.get()
        if count == 0 { atEOF = true }
        end += count
    }
}

extension LineReader.Line {
    /// The line's text for a one-record-per-line format (NDJSON, captures): without its
    /// "\n" or "\r\n", and without a byte order mark at its start (one starts the file, or
    /// a file joined to it: `cat a.ndjson b.ndjson`).
    public var text: ArraySlice<UInt8> {
        var text = bytes
        if text.last == UInt8(ascii: "\n") { text.removeLast() }
        if text.last == UInt8(ascii: "\r") { text.removeLast() }
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text.removeFirst(3) }
        return text
    }
}

extension LineReader {
    /// Reads past the rest of a line that went on past the limit, without holding it.
    /// Returns the whole line's length and the offset just past it.
    public func skipRest(of first: Line) throws(InputError) -> (bytes: Int, endOffset: Int64) {
        var total = first.bytes.count
        var end = first.endOffset
        while first.isTruncated, let piece = try next() {
            total += piece.bytes.count
            end = piece.endOffset
            if !piece.isTruncated { break }
        }
        return (total, end)
    }
}

/// Whether a line holds only spaces and tabs (or nothing): a blank line, not a record.
func isBlank(_ text: some Collection<UInt8>) -> Bool {
    text.allSatisfy { $0 == 0x20 || $0 == 0x09 }
}
