import FlexMapCore

/// A record's verdict and how the writer treats a duplicate of it. A contact's tags and
/// variables come encoded as the store keeps them, so the single writer does not spend
/// its time on JSON.
struct DecodedRecord: Sendable {
    var mapped: MappedRecord
    var onDuplicate: Mapping.DuplicatePolicy
    var encoded: ContactWriter.Encoded?

    init(mapped: MappedRecord, onDuplicate: Mapping.DuplicatePolicy) {
        self.mapped = mapped
        self.onDuplicate = onDuplicate
        if case .contact(let contact) = mapped { encoded = ContactWriter.Encoded(contact) }
    }
}

/// Turns a reader's record into the pipeline's verdict: decodes CSV fields, JSON or a
/// captured request, then maps. Runs on the workers, one parser per worker.
struct RecordDecoder: Sendable {
    enum Mode: Sendable {
        case pipeline(Pipeline)
        case webhook(WebhookProcessor)
    }

    let mode: Mode
    /// CSV header names, for messages.
    let header: [String]

    func decode(_ record: InputRecord, parser: JSONParser) -> DecodedRecord {
        switch mode {
        case .pipeline(let pipeline):
            return DecodedRecord(
                mapped: map(record, pipeline: pipeline, parser: parser), onDuplicate: pipeline.mapping.onDuplicate)
        case .webhook(let processor):
            switch record.payload {
            case .problem(let reason, let detail):
                return DecodedRecord(mapped: .problem(reason, detail: detail), onDuplicate: .skip)
            case .request(let request):
                let outcome = processor.process(request)
                return DecodedRecord(mapped: Self.named(outcome.mapped, record.label), onDuplicate: outcome.onDuplicate)
            case .json, .csv:
                return DecodedRecord(
                    mapped: .problem(
                        .notAWebhookRequest, detail: "line \(record.line) is a record, not a captured request"),
                    onDuplicate: .skip)
            }
        }
    }

    /// A captured request's verdict with its name in the capture ("gor id …") before the detail.
    static func named(_ mapped: MappedRecord, _ label: String?) -> MappedRecord {
        guard let label, case .problem(let reason, let detail) = mapped else { return mapped }
        return .problem(reason, detail: label + ": " + detail)
    }

    private func map(_ record: InputRecord, pipeline: Pipeline, parser: JSONParser) -> MappedRecord {
        if !pipeline.mapping.active { return .problem(.mappingInactive) }
        switch record.payload {
        case .problem(let reason, let detail):
            return .problem(reason, detail: detail)
        case .json:
            let value: JSONValue
            do {
                value = try parser.parse(record.raw)
            } catch {
                return .problem(.invalidJSON, detail: "line \(record.line): \(error.message)")
            }
            return pipeline.map(.json(value))
        case .request(let request):
            // A mapping file run over captured traffic: bodies only, credentials stripped.
            if let refusal = WebhookProcessor.refusal(ofTarget: request) {
                return Self.named(.problem(refusal.reason, detail: refusal.detail), record.label)
            }
            switch WebhookProcessor.decodeBody(request, parser: parser) {
            case .success(let body):
                let clean = CaptureRedaction.withoutSecrets(
                    CredentialResolver.stripped(body), secrets: CaptureRedaction.offeredSecrets(request, body: body))
                return Self.named(pipeline.map(.json(.object(clean))), record.label)
            case .failure(let failure):
                return Self.named(.problem(failure.reason, detail: failure.detail), record.label)
            }
        case .csv(let fields):
            if fields.allBlank { return .problem(.emptyRow) }
            var columns = [String?](repeating: nil, count: fields.count)
            for index in pipeline.bound.neededColumns where index < fields.count {
                guard let text = fields.string(at: index) else {
                    let name = index < header.count ? header[index] : "#\(index + 1)"
                    return .problem(
                        .invalidUTF8,
                        detail:
                            "line \(record.line), column '\(name)' is not valid UTF-8; save the export as UTF-8 and import it again"
                    )
                }
                columns[index] = text
            }
            return pipeline.map(.columns(columns))
        }
    }
}
