import CLibCSV
import Foundation

/// The fields libcsv has handed over for the record being parsed: the unquoted bytes
/// of every field back to back, and where each field ends. The C callbacks write it
/// through a raw pointer: plain stores, no reference counting or exclusivity checks
/// per field.
struct CSVFieldBuffer {
    var bytes: UnsafeMutablePointer<UInt8>
    var byteCount = 0
    var byteCapacity: Int
    var ends: UnsafeMutablePointer<UInt32>
    var fieldCount = 0
    var fieldCapacity: Int
    /// libcsv saw the end of the record (its line ending, or the end of the input).
    var rowEnded = false

    static let initialBytes = 4096
    static let initialFields = 64

    init() {
        byteCapacity = Self.initialBytes
        bytes = .allocate(capacity: byteCapacity)
        fieldCapacity = Self.initialFields
        ends = .allocate(capacity: fieldCapacity)
    }

    mutating func appendField(_ source: UnsafeRawPointer?, _ count: Int) {
        if rowEnded { return }
        if byteCount + count > byteCapacity {
            let capacity = max(byteCapacity * 2, byteCount + count)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.update(from: bytes, count: byteCount)
            bytes.deallocate()
            bytes = grown
            byteCapacity = capacity
        }
        if fieldCount == fieldCapacity {
            let capacity = fieldCapacity * 2
            let grown = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
            grown.update(from: ends, count: fieldCount)
            ends.deallocate()
            ends = grown
            fieldCapacity = capacity
        }
        if count > 0, let source {
            (bytes + byteCount).update(from: source.assumingMemoryBound(to: UInt8.self), count: count)
            byteCount += count
        }
        ends[fieldCount] = UInt32(truncatingIfNeeded: byteCount)
        fieldCount += 1
    }

    /// Empties the buffer for the next record; buffers grown by a huge record are given
    /// back so memory stays bounded by ordinary records.
    mutating func clear() {
        if byteCapacity > 1 << 20 {
            bytes.deallocate()
            byteCapacity = Self.initialBytes
            bytes = .allocate(capacity: byteCapacity)
        }
        if fieldCapacity > 1 << 16 {
            ends.deallocate()
            fieldCapacity = Self.initialFields
            ends = .allocate(capacity: fieldCapacity)
        }
        byteCount = 0
        fieldCount = 0
        rowEnded = false
    }

    func free() {
        bytes.deallocate()
        ends.deallocate()
    }
}

/// Owns the CSVFieldBuffer the callbacks fill, at a stable address.
final class CSVFieldSink {
    let buffer: UnsafeMutablePointer<CSVFieldBuffer>

    init() {
        buffer = .allocate(capacity: 1)
        buffer.initialize(to: CSVFieldBuffer())
    }

    deinit {
        buffer.pointee.free()
        buffer.deinitialize(count: 1)
        buffer.deallocate()
    }

    var context: UnsafeMutableRawPointer { UnsafeMutableRawPointer(buffer) }
    var fieldCount: Int { buffer.pointee.fieldCount }
    var rowEnded: Bool { buffer.pointee.rowEnded }
    /// Bytes held by the buffers (for tests that check memory stays bounded).
    var capacity: Int { buffer.pointee.byteCapacity + buffer.pointee.fieldCapacity * 4 }

    func clear() { buffer.pointee.clear() }

    /// The fields so far, copied into arrays of exactly their size.
    func makeFields() -> CSVFields {
        let state = buffer.pointee
        return CSVFields(
            storage: [UInt8](unsafeUninitializedCapacity: state.byteCount) { target, count in
                if state.byteCount > 0 { target.baseAddress!.initialize(from: state.bytes, count: state.byteCount) }
                count = state.byteCount
            },
            ends: [UInt32](unsafeUninitializedCapacity: state.fieldCount) { target, count in
                if state.fieldCount > 0 { target.baseAddress!.initialize(from: state.ends, count: state.fieldCount) }
                count = state.fieldCount
            })
    }
}

/// The C callbacks libcsv calls. They live on a nonisolated type (never in main.swift)
/// so libcsv may call them from any thread; the field buffer comes through the context
/// pointer.
enum LibCSVCallbacks {
    static let field: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = {
        bytes, count, context in
        context.unsafelyUnwrapped.assumingMemoryBound(to: CSVFieldBuffer.self).pointee.appendField(bytes, count)
    }

    static let row: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, context in
        context.unsafelyUnwrapped.assumingMemoryBound(to: CSVFieldBuffer.self).pointee.rowEnded = true
    }

    /// Only the line feed ends a record. Set for a line holding a carriage return that
    /// is not part of its CRLF ending, so that CR cannot split the line into two
    /// records. (Other lines use libcsv's built-in CR-or-LF test, which gives the same
    /// result there without a call per byte.)
    static let isLineFeed: @convention(c) (UInt8) -> Int32 = { $0 == 0x0A ? 1 : 0 }

    /// libcsv drops "space" characters before a field, after a closing quote and at the
    /// end of an unquoted field. Only the carriage return counts as one: that removes
    /// the CR of a CRLF ending while spaces and tabs (and the tab delimiter) stay data.
    static let isSpace: @convention(c) (UInt8) -> Int32 = { $0 == 0x0D ? 1 : 0 }
}

/// One libcsv parser. This file is the only one that calls libcsv; its C types do not
/// leave it. The `csv_parser` lives in its own allocation so its address stays put.
///
/// Options: `CSV_STRICT | CSV_STRICT_FINI`, so a misplaced quote is an error at the
/// byte where it happens (instead of silently joining lines into one field) and a
/// quoted field still open at the end of the input is reported by `finish()`.
final class LibCSVParser {
    enum FeedResult: Equatable {
        /// Every byte was parsed.
        case parsed
        /// A quote breaks the CSV rules (CSV_EPARSE). `inQuotedField`: after a closing
        /// quote (text follows it); otherwise a quote inside an unquoted field.
        case quoteError(inQuotedField: Bool)
        /// libcsv ran out of memory or needed a buffer larger than it can address.
        case failed(code: Int32, message: String)
    }

    enum FinishResult: Equatable {
        case finished
        /// A quoted field was still open at the end of the input.
        case openQuote
        case failed(code: Int32, message: String)
    }

    let sink = CSVFieldSink()
    let delimiter: UInt8
    private let parser: UnsafeMutablePointer<csv_parser>
    /// The LF-only terminator is set (instead of libcsv's CR-or-LF).
    private var lineFeedOnly = false
    /// Tests set this to check the built-in terminator gives the same results.
    var alwaysLineFeedOnly = false
    private static let options = UInt8(CSV_STRICT | CSV_STRICT_FINI)
    /// libcsv grows its field buffer by this much at a time (its default, 128 bytes,
    /// makes a long field cost a realloc per 128 bytes).
    private static let blockSize = 64 << 10

    init(delimiter: UInt8) {
        self.delimiter = delimiter
        parser = .allocate(capacity: 1)
        parser.initialize(to: csv_parser())
        configure()
    }

    deinit {
        csv_free(parser)
        parser.deinitialize(count: 1)
        parser.deallocate()
    }

    private func configure() {
        // csv_init fails only for a null parser.
        _ = csv_init(parser, Self.options)
        csv_set_delim(parser, delimiter)
        lineFeedOnly = false
        csv_set_space_func(parser, LibCSVCallbacks.isSpace)
        csv_set_blk_size(parser, Self.blockSize)
    }

    /// Forgets the record being parsed (after an error, whose state libcsv keeps) and
    /// frees libcsv's field buffer.
    func reset() {
        csv_free(parser)
        configure()
        sink.clear()
    }

    /// Gives back libcsv's field buffer when a long field grew it past `limit`. Call it
    /// only between records.
    func trimBuffer(above limit: Int = 1 << 20) {
        if csv_get_buffer_size(parser) > limit {
            csv_free(parser)
            configure()
        }
    }

    /// Parses `line`, one line of input; fields and the end of the record land in `sink`.
    func feed(_ line: UnsafeRawBufferPointer) -> FeedResult {
        guard let base = line.baseAddress, line.count > 0 else { return .parsed }
        let bareCarriageReturn = alwaysLineFeedOnly || Self.hasBareCarriageReturn(base, line.count)
        if bareCarriageReturn != lineFeedOnly {
            csv_set_term_func(parser, bareCarriageReturn ? LibCSVCallbacks.isLineFeed : nil)
            lineFeedOnly = bareCarriageReturn
        }
        let parsed = csv_parse(parser, base, line.count, LibCSVCallbacks.field, LibCSVCallbacks.row, sink.context)
        if parsed == line.count { return .parsed }
        let code = csv_error(parser)
        if code == CSV_EPARSE { return .quoteError(inQuotedField: parser.pointee.quoted != 0) }
        return .failed(code: code, message: Self.message(code))
    }

    /// A carriage return anywhere but in the line's final CRLF.
    static func hasBareCarriageReturn(_ base: UnsafeRawPointer, _ count: Int) -> Bool {
        var count = count
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        if count >= 2, bytes[count - 1] == 0x0A, bytes[count - 2] == 0x0D { count -= 2 }
        return count > 0 && memchr(base, 0x0D, count) != nil
    }

    /// Ends the input: a record without a final line feed is submitted to `sink`.
    func finish() -> FinishResult {
        if csv_fini(parser, LibCSVCallbacks.field, LibCSVCallbacks.row, sink.context) == 0 { return .finished }
        let code = csv_error(parser)
        if code == CSV_EPARSE { return .openQuote }
        return .failed(code: code, message: Self.message(code))
    }

    private static func message(_ code: Int32) -> String {
        guard let text = csv_strerror(code) else { return "libcsv error \(code)" }
        return "libcsv error \(code): \(String(cString: text))"
    }
}
