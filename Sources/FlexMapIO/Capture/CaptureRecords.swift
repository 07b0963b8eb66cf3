import FlexMapCore

/// Makes the records of captured requests (HAR, gor, capture NDJSON). Each record's
/// `raw`, which the reports keep for rejected and skipped requests, is the request as ONE
/// capture line with its secrets redacted, so `rejected.ndjson` can be imported again
/// with `--format capture`. A record too damaged to be a request keeps its text (or
/// JSON), scrubbed of anything that looks like a key. Reader thread only: it owns a parser.
final class CaptureRecords {
    /// How much of a damaged or too large record the reports keep.
    static let keptPrefix = 64 << 10

    private let parser = JSONParser()

    /// A request, ready for the workers.
    func request(
        _ entry: CaptureFormat.Entry, number: Int, line: Int, endOffset: Int64, label: String?,
        extra: [(key: String, value: JSONValue)] = []
    ) -> InputRecord {
        let redacted = CaptureRedaction.redact(entry, parser: parser)
        var text = CaptureFormat.encode(redacted)
        if !extra.isEmpty, text.last == "}" {
            // Extra members the capture format ignores on import (the gor id).
            text.removeLast()
            for member in extra { text += "," + JSONText.quote(member.key) + ":" + JSONText.encode(member.value) }
            text += "}"
        }
        return InputRecord(
            number: number, line: line, raw: Array(text.utf8), endOffset: endOffset, payload: .request(entry.request),
            label: label, capturedAt: ISO8601.seconds(entry.timestamp))
    }

    /// A record that is not a usable request, kept as (scrubbed) text. Its detail names it
    /// already; `label` is for readers of the record.
    func damaged(
        text: some Collection<UInt8>, number: Int, line: Int, endOffset: Int64, reason: Reason, detail: String,
        label: String? = nil
    ) -> InputRecord {
        let kept = CaptureRedaction.scrub(bytes: Array(text.prefix(Self.keptPrefix)))
        return InputRecord(
            number: number, line: line, raw: kept, endOffset: endOffset, payload: .problem(reason, detail: detail),
            label: label)
    }

    /// A record that is not a usable request, kept as (redacted) JSON.
    func damaged(
        json: JSONValue, number: Int, line: Int, endOffset: Int64, reason: Reason, detail: String, label: String? = nil
    ) -> InputRecord {
        let text = JSONText.encode(CaptureRedaction.redact(json))
        return InputRecord(
            number: number, line: line, raw: Array(text.utf8), endOffset: endOffset,
            payload: .problem(reason, detail: detail), label: label)
    }

    /// Parses one JSON document (the reader's own parser; not thread-safe).
    func parse(_ bytes: [UInt8]) throws(JSONParser.ParseError) -> JSONValue {
        try parser.parse(bytes)
    }

    static let gzipMagic: [UInt8] = [0x1F, 0x8B]

    /// A compressed capture (`gor --output-file x.gor.gz`, a gzipped log): unreadable as
    /// records, so the whole input is refused with what to do.
    static func compressed(_ source: ByteSource, format: String) -> InputError {
        let name = source.name == "stdin" ? "FILE" : source.name
        return InputError(
            file: source.name, line: 1,
            message:
                "is gzip-compressed; decompress it first: zcat \(name) | flexmap import --input - --format \(format)")
    }

    /// Splits a request target ("/p?q", "https://host/p?q#f") into its raw path and raw
    /// query, without decoding either.
    static func split(target: String) -> (path: String, rawQuery: String) {
        RequestTarget.split(target)
    }
}
