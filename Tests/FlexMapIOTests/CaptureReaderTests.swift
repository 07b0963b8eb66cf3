import FlexMapCore
import Foundation
import Testing

@testable import FlexMapIO

/// Every record of a reader.
func readAll(_ reader: any RecordReader) throws -> [InputRecord] {
    var records: [InputRecord] = []
    while let record = try reader.next() { records.append(record) }
    return records
}

extension InputRecord {
    var request: WebhookRequest? {
        if case .request(let request) = payload { return request }
        return nil
    }

    var problem: Reason? {
        if case .problem(let reason, _) = payload { return reason }
        return nil
    }

    var problemDetail: String? {
        if case .problem(_, let detail) = payload { return detail }
        return nil
    }

    var rawText: String { String(decoding: raw, as: UTF8.self) }
}

let captureKey = "fmk_SecretSecretSecretSecretSecretSecret1234"

@Suite struct HARReaderTests {
    let folder = TemporaryFolder()

    static let har = """
        \u{FEFF}{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},
        "pages":[{"startedDateTime":"2026-01-05T10:00:00.000Z","id":"page_1","title":"Form","pageTimings":{}}],
        "entries":[
         {"_initiator":{"type":"script"},"_priority":"High","startedDateTime":"2026-01-05T11:00:02.000+01:00","time":12.5,
          "request":{"method":"POST","url":"https://hooks.example.com/api/contacts/flex?mapId=map_1&apiKey=\(captureKey)","httpVersion":"http/2.0",
           "headers":[{"name":":authority","value":"hooks.example.com"},{"name":"content-type","value":"application/json"}],
           "queryString":[{"name":"mapId","value":"map_1"}],"cookies":[],"headersSize":-1,"bodySize":24,
           "postData":{"mimeType":"application/json","text":"{\\"phone\\":\\"+12015550123\\"}"}},
          "response":{"status":201,"content":{"size":10,"mimeType":"application/json","text":"{\\"ok\\":1}"}},"cache":{},"timings":{"send":0,"wait":10,"receive":1}},
         {"startedDateTime":"2026-01-05T10:00:01.000Z","time":3,
          "request":{"method":"POST","url":"https://hooks.example.com/api/contacts/flex","httpVersion":"HTTP/1.1",
           "headers":[],"queryString":[],"cookies":[],"headersSize":100,"bodySize":40,
           "postData":{"mimeType":"application/x-www-form-urlencoded","params":[{"name":"phone","value":"+1 201 555 0124"},{"name":"apiKey","value":"\(captureKey)"},{"name":"note","value":"a%26b"}]}},
          "response":{"status":201}},
         {"startedDateTime":"2026-01-05T10:00:01.000Z",
          "request":{"method":"POST","url":"/api/contacts/flex","headers":[{"name":"Content-Type","value":"application/json"}],
           "postData":{"mimeType":"application/json","text":"eyJwaG9uZSI6IisxMjAxNTU1MDEyNSJ9","_encoding":"base64"}}},
         {"startedDateTime":"2026-01-05T10:00:00.500Z","request":{"url":"https://h/api/contacts/flex?apiKey=\(captureKey)"}},
         {"startedDateTime":"2026-01-05T10:00:03.000Z","request":{"method":"GET","url":"https://h/api/contacts/flex?x=1"},"response":{}},
         {"request":{"method":"POST","url":"https://h/api/contacts/flex","postData":{"mimeType":"application/json","text":"!!","_encoding":"base64"}}}
        ]}}
        """

    func reader(_ text: String, maxRecordBytes: Int = 1 << 20, position: ReaderPosition? = nil) throws -> HARReader {
        try HARReader(
            source: try ByteSource(path: folder.file("a.har", text)), maxRecordBytes: maxRecordBytes, position: position
        )
    }

    @Test func entriesInStartedOrderWithTheirRequests() throws {
        let records = try readAll(try reader(Self.har))
        // 10:00:00.5 (entry 4), 10:00:01 (entries 2, 3: stable), 10:00:02 (entry 1, +01:00),
        // 10:00:03 (entry 5), then entry 6 without a time stays behind entry 5.
        #expect(records.map(\.line) == [4, 2, 3, 1, 5, 6])
        #expect(records.map(\.number) == [1, 2, 3, 4, 5, 6])
        #expect(records.map(\.label) == ["entry 4", "entry 2", "entry 3", "entry 1", "entry 5", "entry 6"])

        #expect(records[0].problem == .malformedRequest)
        #expect(records[0].problemDetail == "entry 4: request.method is missing")

        let form = try #require(records[1].request)
        #expect(form.header("content-type") == "application/x-www-form-urlencoded")
        #expect(
            String(decoding: form.body, as: UTF8.self)
                == "phone=%2B1%20201%20555%200124&apiKey=\(captureKey)&note=a%26b")

        let base64 = try #require(records[2].request)
        #expect(String(decoding: base64.body, as: UTF8.self) == #"{"phone":"+12015550125"}"#)

        let first = try #require(records[3].request)
        #expect(first.path == "/api/contacts/flex")
        #expect(first.query.map(\.name) == ["mapId", "apiKey"])
        #expect(first.headers.map(\.name) == ["content-type"])  // :authority left out, no duplicate Content-Type
        #expect(first.body == Array(#"{"phone":"+12015550123"}"#.utf8))

        #expect(records[4].request?.method == "GET")
        #expect(records[5].problem == .malformedRequest)
        #expect(records[5].problemDetail?.contains("base64") == true)
    }

    @Test func keptLinesAreRedactedCaptureLines() throws {
        let records = try readAll(try reader(Self.har))
        for record in records { #expect(!record.rawText.contains(captureKey), "\(record.rawText)") }
        let line = try CaptureFormat.decode(try JSONParser().parse(records[3].raw)).get()
        #expect(line.timestamp == "2026-01-05T11:00:02.000+01:00")
        #expect(line.rawQuery == "mapId=map_1&apiKey=REDACTED")
        #expect(String(decoding: records[1].raw, as: UTF8.self).contains("apiKey=REDACTED"))
    }

    @Test func resumeSkipsTheRequestsTaken() throws {
        let records = try readAll(try reader(Self.har, position: ReaderPosition(offset: 0, records: 4, lines: 0)))
        #expect(records.map(\.line) == [5, 6])
        #expect(records.map(\.number) == [5, 6])
    }

    @Test func largeBodiesAndBadDocuments() throws {
        let records = try readAll(try reader(Self.har, maxRecordBytes: 20))
        #expect(records[3].problem == .recordTooLarge)
        #expect(throws: InputError.self) { try reader("{\"log\":{}}") }
        #expect(throws: InputError.self) { try reader("not json") }
        let tooLarge = #expect(throws: InputError.self) {
            try HARReader(source: try ByteSource(path: folder.file("b.har", Self.har)), maxDocumentBytes: 100)
        }
        #expect(tooLarge?.message.contains("larger than") == true)
        #expect(try readAll(try reader(#"{"log":{"entries":[]}}"#)).isEmpty)
    }

    @Test func instants() {
        #expect(ISO8601.seconds("1970-01-01T00:00:00Z") == 0)
        #expect(ISO8601.seconds("2026-01-05T11:00:02.000+01:00") == ISO8601.seconds("2026-01-05T10:00:02Z"))
        #expect(ISO8601.seconds("2026-01-05T10:00:02.25-0030") == ISO8601.seconds("2026-01-05T10:30:02.25Z"))
        #expect(ISO8601.seconds("2000-03-01T00:00:00Z") == 951_868_800)
        #expect(ISO8601.seconds("2026-01-05") == nil)
        #expect(ISO8601.seconds("2026-13-05T10:00:00Z") == nil)
        #expect(ISO8601.seconds("2026-01-05T10:00:00Zjunk") == nil)
        #expect(ISO8601.string(nanoseconds: 1_772_443_200_005_000_000) == "2026-03-02T09:20:00.005Z")
        #expect(ISO8601.string(nanoseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(ISO8601.string(nanoseconds: 951_868_799_999_999_999) == "2000-02-29T23:59:59.999Z")
        for seconds in stride(from: 0, to: 4_102_444_800, by: 7_777_777) {
            #expect(ISO8601.seconds(ISO8601.string(nanoseconds: Int64(seconds) * 1_000_000_000)) == Double(seconds))
        }
    }
}

@Suite struct GorReaderTests {
    let folder = TemporaryFolder()
    static let monkeys = "\n🐵🙈🙉\n"

    static func request(_ id: String, _ head: String, body: String, length: Int? = nil) -> String {
        "1 \(id) 1767607200000000000 -1\n\(head)\r\nContent-Length: \(length ?? body.utf8.count)\r\n\r\n\(body)"
            + monkeys
    }

    static let gor =
        request(
            "a1", "POST /api/contacts/flex?apiKey=\(captureKey)&mapId=map_1 HTTP/1.1\r\nContent-Type: application/json",
            body: "{\"phone\":\"+12015550123\"}\n")
        + "2 a1 1767607200001000000 1000\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}" + monkeys
        + request(
            "b2", "POST /api/contacts/flex HTTP/1.1\r\nX-Api-Key: \(captureKey)", body: "{\"phone\":\"+1\"}", length: 99
        )
        + "garbage header\nPOST /api/contacts/flex?apiKey=\(captureKey) HTTP/1.1\r\n\r\n" + monkeys
        + "\n"
        + "1 c3 1767607202000000000\nPOST /api/contacts/flex HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\na=1\r\n0\r\n\r\n"
        + monkeys
        + "3 c3 1767607202000000000 5\nHTTP/1.1 500 Oops\r\n\r\n" + monkeys
        + "1 d4 1767607203000000000\nGET /api/contacts/flex?apiKey=\(captureKey) HTTP/1.1\r\nHost: h\r\n\r\n"

    func reader(_ text: String, maxRecordBytes: Int = 1 << 20, position: ReaderPosition? = nil) throws -> GorReader {
        try GorReader(
            source: try ByteSource(path: folder.file("t.gor", text)), maxRecordBytes: maxRecordBytes, position: position
        )
    }

    @Test func requestsResponsesAndDamagedRecords() throws {
        let reader = try reader(Self.gor)
        let records = try readAll(reader)
        #expect(reader.responses == 2)
        #expect(records.map(\.number) == [1, 2, 3, 4, 5])
        #expect(records.map(\.line) == [1, 15, 22, 28, 43])

        let first = try #require(records[0].request)
        #expect(first.body == Array("{\"phone\":\"+12015550123\"}\n".utf8))
        #expect(records[0].label == "gor id a1")
        let line = try CaptureFormat.decode(try JSONParser().parse(records[0].raw)).get()
        #expect(line.timestamp == "2026-01-05T10:00:00.000Z")
        #expect(line.rawQuery == "apiKey=REDACTED&mapId=map_1")
        #expect(records[0].rawText.hasSuffix(#","gorId":"a1"}"#))

        #expect(records[1].problem == .malformedRequest)
        #expect(
            records[1].problemDetail?.hasPrefix("gor id b2: the body has 14 bytes but Content-Length says 99") == true)
        #expect(records[2].problem == .malformedRequest)
        #expect(records[2].problemDetail?.hasPrefix("the record header") == true)
        #expect(records[3].request.map { String(decoding: $0.body, as: UTF8.self) } == "a=1")
        #expect(records[4].request?.method == "GET")  // the last record has no separator
        for record in records { #expect(!record.rawText.contains(captureKey), "\(record.rawText)") }
    }

    @Test func resumeCountsLinesAgain() throws {
        let all = try readAll(try reader(Self.gor))
        let resumed = try readAll(
            try reader(Self.gor, position: ReaderPosition(offset: all[2].endOffset, records: 3, lines: all[2].line)))
        #expect(resumed.map(\.line) == [28, 43])
        #expect(resumed.map(\.number) == [4, 5])
    }

    @Test func compressedRecordingsAreRefusedWithAHint() throws {
        let gzip = folder.file("t.gor.gz", bytes: [0x1F, 0x8B, 0x08, 0x00] + Array("rest of a gzip stream".utf8))
        let error = #expect(throws: InputError.self) { try readAll(try GorReader(source: try ByteSource(path: gzip))) }
        #expect(error?.message.contains("zcat") == true)
        // Extra header fields (forks) are fine.
        let records = try readAll(try reader("1 a1 1767607200000000000 -1 extra\nGET / HTTP/1.1\r\n\r\n"))
        #expect(records.first?.request?.method == "GET")
    }

    @Test func overLongRecordsAreRejectedAndSkipped() throws {
        let big = Self.request("e5", "POST /api/contacts/flex HTTP/1.1", body: String(repeating: "x", count: 5000))
        let records = try readAll(
            try reader(big + Self.request("f6", "POST /api/contacts/flex HTTP/1.1", body: "{}"), maxRecordBytes: 1024))
        #expect(records.count == 2)
        #expect(records[0].problem == .recordTooLarge)
        #expect(records[1].request != nil)
    }
}

@Suite struct CaptureReaderTests {
    let folder = TemporaryFolder()

    func reader(_ text: String, maxRecordBytes: Int = 1 << 20) throws -> CaptureReader {
        try CaptureReader(
            source: try ByteSource(path: folder.file("c.capture.ndjson", text)), maxRecordBytes: maxRecordBytes)
    }

    @Test func linesBlanksAndDamage() throws {
        let good = CaptureFormat.encode(
            CaptureFormat.Entry(
                timestamp: "2026-01-05T10:00:00.000Z", method: "POST", path: "/api/contacts/flex",
                rawQuery: "mapId=map_1&apiKey=\(captureKey)", headers: [("Content-Type", "application/json")],
                body: Array(#"{"phone":"+12015550123"}"#.utf8)))
        let text =
            "\u{FEFF}" + good + "\r\n\n"
            + #"{"method":"POST","path":"/api/contacts/flex","headers":{"x-api-key":"\#(captureKey)"},"body":{"phone":"1"}}"#
            + "\n"
            + #"{"method":"POST","path":"/api/contacts/flex?apiKey=\#(captureKey)","body":"# + "\n"
            + #"{"path":"/api/contacts/flex","headers":[["X-Api-Key","\#(captureKey)"]]}"# + "\n"
            + #"{"method":"POST","path":"/x","body":"@@","bodyEncoding":"base64"}"# + "\n"
        let reader = try reader(text)
        let records = try readAll(reader)
        #expect(reader.blankLines == 1)
        #expect(records.map(\.line) == [1, 3, 4, 5, 6])
        #expect(records[0].request?.query.map(\.value) == ["map_1", captureKey])
        #expect(records[1].request?.header("X-API-KEY") == captureKey)
        #expect(records[1].request?.body == Array(#"{"phone":"1"}"#.utf8))
        #expect(records[2].problem == .invalidJSON)
        #expect(records[3].problem == .malformedRequest)
        #expect(records[3].problemDetail == #"not a captured request: missing "method""#)
        #expect(records[4].problem == .malformedRequest)
        for record in records {
            #expect(!record.rawText.contains(captureKey), "\(record.rawText)")
            #expect(record.label == nil)
        }
        #expect(records[0].rawText.contains("apiKey=REDACTED"))
    }

    @Test func overLongLinesAreScrubbedToo() throws {
        let line =
            #"{"method":"POST","path":"/api/contacts/flex?apiKey=\#(captureKey)","body":""#
            + String(repeating: "x", count: 4000) + "\"}\n"
        let records = try readAll(try reader(line + line, maxRecordBytes: 1024))
        #expect(records.map(\.problem) == [.recordTooLarge, .recordTooLarge])
        #expect(!records[0].rawText.contains(captureKey))
    }

    @Test func formatGuesses() {
        #expect(InputFormat.guess(path: "x.HAR") == .har)
        #expect(InputFormat.guess(path: "requests.gor") == .gor)
        #expect(InputFormat.guess(path: "serve.capture.ndjson") == .capture)
        #expect(InputFormat.guess(path: "leads.ndjson") == .ndjson)
        #expect(InputFormat.har.isCapture && InputFormat.gor.isCapture && InputFormat.capture.isCapture)
        #expect(!InputFormat.ndjson.isCapture)
    }
}
