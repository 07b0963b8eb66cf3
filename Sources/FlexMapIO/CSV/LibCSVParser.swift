import CLibCSV

/// The fields libcsv has handed over for the record being parsed: the unquoted bytes
/// of every field back to back, and where each field ends. Filled by the C callbacks.
final class CSVFieldSink {
    var bytes: [UInt8] = []
    var ends: [UInt32] = []
    /// libcsv saw the end of the record (its line feed, or the end of the input).
    var rowEnded = false

    init() {
        bytes.reserveCapacity(4096)
        ends.reserveCapacity(64)
    }

    /// Empties the sink for the next record; buffers grown by a huge record are given
    /// back so memory stays bounded by ordinary records.
    func clear() {
        if bytes.capacity > 1 << 20 { bytes = [] } else { bytes.removeAll(keepingCapacity: true) }
        if ends.capacity > 1 << 16 { ends = [] } else { ends.removeAll(keepingCapacity: true) }
        rowEnded = false
    }
}

/// The C callbacks libcsv calls. They live on a nonisolated type (never in main.swift)
/// so libcsv may call them from any thread; the sink comes through the context pointer.
enum LibCSVCallbacks {
    static let field: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = {
        bytes, count, context in
        let sink = Unmanaged<CSVFieldSink>.fromOpaque(context!).takeUnretainedValue()
        if sink.rowEnded { return }
        if count > 0, let bytes {
            sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: count))
        }
        sink.ends.append(UInt32(truncatingIfNeeded: sink.bytes.count))
    }

    static let row: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, context in
        let sink = Unmanaged<CSVFieldSink>.fromOpaque(context!).takeUnretainedValue()
        sink.rowEnded = true
    }

    /// Only the line feed ends a record: a carriage return is not a terminator, so a
    /// stray CR in the middle of a line cannot split it into two records.
    static let isTerminator: @convention(c) (UInt8) -> Int32 = { $0 == 0x0A ? 1 : 0 }

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
        csv_set_term_func(parser, LibCSVCallbacks.isTerminator)
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

    /// Parses `bytes`; fields and the end of the record land in `sink`.
    func feed(_ bytes: UnsafeRawBufferPointer) -> FeedResult {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .parsed }
        let context = Unmanaged.passUnretained(sink).toOpaque()
        let parsed = csv_parse(parser, base, bytes.count, LibCSVCallbacks.field, LibCSVCallbacks.row, context)
        if parsed == bytes.count { return .parsed }
        let code = csv_error(parser)
        if code == CSV_EPARSE { return .quoteError(inQuotedField: parser.pointee.quoted != 0) }
        return .failed(code: code, message: Self.message(code))
    }

    /// Ends the input: a record without a final line feed is submitted to `sink`.
    func finish() -> FinishResult {
        let context = Unmanaged.passUnretained(sink).toOpaque()
        if csv_fini(parser, LibCSVCallbacks.field, LibCSVCallbacks.row, context) == 0 { return .finished }
        let code = csv_error(parser)
        if code == CSV_EPARSE { return .openQuote }
        return .failed(code: code, message: Self.message(code))
    }

    private static func message(_ code: Int32) -> String {
        guard let text = csv_strerror(code) else { return "libcsv error \(code)" }
        return "libcsv error \(code): \(String(cString: text))"
    }
}
