import FlexMapCore
import FlexMapIO
import Foundation

extension Harness {
    /// NDJSON: the reader, the parse and the pipeline on each record, rejected.ndjson.
    /// Oracles: records move forward; every line of rejected.ndjson is a JSON object with
    /// `_line`, `_reason`, `_detail`, holding the record's own members (an object record) or
    /// its exact text (`_raw`, `_rawBase64`).
    static func ndjson(_ data: [UInt8]) -> [String] {
        var findings = Findings()
        var input = ByteReader(data)
        let options = input.byte()
        let body = input.rest()
        let limit = options & 0x80 != 0 ? 16 + Int(options & 0x7F) * 4 : 16 << 20
        let path = ScratchFiles.write(body, suffix: ".ndjson")
        defer { ScratchFiles.remove(path) }
        guard let source = try? ByteSource(path: path),
            let reader = try? NDJSONReader(source: source, maxRecordBytes: limit)
        else { return [] }
        let parser = JSONParser()
        let pipeline = FuzzDirectory().pipeline
        var records: [InputRecord] = []
        var lastEnd: Int64 = 0
        var lastLine = 0
        do {
            while let record = try reader.next() {
                findings.check(
                    record.endOffset > lastEnd && record.endOffset <= Int64(body.count),
                    "record \(record.number) does not move forward")
                findings.check(
                    record.line > lastLine, "record \(record.number) is on line \(record.line), after line \(lastLine)")
                (lastEnd, lastLine) = (record.endOffset, record.line)
                if case .json = record.payload, let value = try? parser.parse(record.raw) {
                    _ = pipeline.map(.json(value))
                }
                records.append(record)
                if records.count > body.count + 1 { break }
            }
        } catch {
            findings.add("reading a regular file failed: \(error)")
        }
        guard findings.items.isEmpty else { return findings.items }

        // Every record as a rejected row, and back.
        let directory = ScratchFiles.path(".report")
        defer { ScratchFiles.remove(directory) }
        do {
            let report = try ReportWriter(directory: directory, format: .json, durable: false)
            for record in records {
                try report.add(
                    RowIssue(
                        recordNumber: record.number, line: record.line, reason: .invalidJSON, detail: "d\"\\\n",
                        raw: record.raw))
            }
            try report.finish(RunSummary())
        } catch {
            return ["writing the report fails: \(error)"]
        }
        guard let text = FileManager.default.contents(atPath: directory + "/rejected.ndjson") else {
            return ["no rejected.ndjson"]
        }
        let lines = [UInt8](text).split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
        findings.check(
            lines.count == records.count, "rejected.ndjson has \(lines.count) lines for \(records.count) records")
        let markers: Set<String> = ["_line", "_reason", "_detail"]
        for (record, line) in zip(records, lines) {
            guard let object = (try? parser.parse(Array(line)))?.objectValue else {
                findings.add("rejected.ndjson line for record \(record.number) is not a JSON object")
                continue
            }
            findings.check(object["_line"] == .int(Int64(record.line)), "record \(record.number): wrong _line")
            findings.check(object["_reason"] == .string("invalid-json"), "record \(record.number): wrong _reason")
            findings.check(object["_detail"] == .string("d\"\\\n"), "record \(record.number): wrong _detail")
            if case .object(let original)? = try? parser.parse(record.raw) {
                let kept = object.members.filter { !markers.contains($0.key) }
                let want = original.members.filter { !markers.contains($0.key) }
                findings.check(
                    kept.count == want.count && zip(kept, want).allSatisfy { $0.key == $1.key && $0.value == $1.value },
                    "record \(record.number): the object's members change in rejected.ndjson")
            } else if case .string(let raw)? = object["_raw"] {
                findings.check(Array(raw.utf8) == record.raw, "record \(record.number): _raw is not the line")
            } else if case .string(let encoded)? = object["_rawBase64"] {
                findings.check(
                    Data(base64Encoded: encoded).map([UInt8].init) == record.raw,
                    "record \(record.number): _rawBase64 is not the line")
            } else {
                findings.add("record \(record.number): rejected.ndjson keeps neither the object nor _raw")
            }
        }
        return findings.items
    }

    /// HAR, gor and capture files: the reader, then each request through what the endpoint
    /// does (credentials, key check, mapping). Oracle: no key a request authenticates with
    /// (8 characters or more, as the redaction promises) appears in the record the reports
    /// keep, nor in a detail.
    static func capture(_ data: [UInt8], format: InputFormat) -> [String] {
        var findings = Findings()
        var input = ByteReader(data)
        let options = input.byte()
        let body = input.rest()
        let limit = options & 0x80 != 0 ? 16 + Int(options & 0x7F) * 16 : 16 << 20
        let path = ScratchFiles.write(body, suffix: "." + format.rawValue)
        defer { ScratchFiles.remove(path) }
        guard let source = try? ByteSource(path: path),
            let reader = try? Readers.open(format, source: source, options: ReaderOptions(maxRecordBytes: limit))
        else { return [] }
        let processor = WebhookProcessor(directory: FuzzDirectory())
        let override = WebhookProcessor(
            directory: FuzzDirectory(), override: [.orgId: "org_fuzz", .apiKey: "fmk_FuzzKey0123456789abcdef"])
        var count = 0
        while let record = try? reader.next() {
            count += 1
            if count > body.count + 2 {
                findings.add("more records than input bytes")
                break
            }
            guard case .request(let request) = record.payload else { continue }
            let outcome = (options & 1 == 0 ? processor : override).process(request)
            var detail = ""
            if case .problem(_, let text) = outcome.mapped { detail = text }
            for key in usedKeys(request) {
                findings.check(!holds(record.raw, key), "the kept record holds the API key \(key.debugDescription)")
                // A detail may quote what another header says (a Content-Type), and has words
                // of its own ("send application/json"): a key that is also part of another
                // header, or short and without a digit like those words, is not checked there.
                let elsewhere = request.headers.contains { header in
                    !["x-api-key", "authorization"].contains(header.name.lowercased()) && header.value.contains(key)
                }
                let keyLike = key.utf8.count >= 16 && key.utf8.contains { $0 >= 0x30 && $0 <= 0x39 }
                if !elsewhere && keyLike {
                    findings.check(
                        !holds(Array(detail.utf8), key),
                        "the detail holds the API key \(key.debugDescription): \(detail.debugDescription) (request headers \(request.headers))"
                    )
                }
            }
        }
        return findings.items
    }

    /// The API keys a request offers where the endpoint looks for one, as it reads them,
    /// when the redaction promises to hunt their copies (8 characters or more).
    static func usedKeys(_ request: WebhookRequest) -> [String] {
        var body: [(name: String, value: String)] = []
        if case .success(let object) = WebhookProcessor.decodeBody(request) {
            body = CredentialResolver.bodyFields(object)
        }
        var keys: [String] = []
        let sources = CredentialSources(query: request.query, headers: request.headers, body: body)
        for (name, value) in sources.query + sources.body
        where CredentialResolver.Field.apiKey.parameterNames.contains(name.lowercased()) {
            keys.append(value)
        }
        for (name, value) in sources.headers {
            let lowered = name.lowercased()
            if lowered == "x-api-key" { keys.append(value) }
            if lowered == "authorization" {
                let parts = value.split(separator: " ", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == "bearer" { keys.append(String(parts[1])) }
            }
        }
        return keys.map { $0.trimmingWhitespace() }.filter {
            $0.utf8.count >= CaptureRedaction.minimumHuntedLength && $0 != CaptureRedaction.placeholder
        }
    }

    /// Whether `text` holds `key` as it is or as JSON writes it inside a string.
    static func holds(_ text: [UInt8], _ key: String) -> Bool {
        let quoted = Array(JSONText.quote(key).utf8.dropFirst().dropLast())
        return contains(text, Array(key.utf8)) || contains(text, quoted)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
