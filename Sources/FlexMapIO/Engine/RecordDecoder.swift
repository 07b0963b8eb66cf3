import FlexMapCore

/// Turns a reader's record into the pipeline's verdict: decodes CSV fields or JSON,
/// then maps. Runs on the workers, one parser per worker.
struct RecordDecoder: Sendable {
    let pipeline: Pipeline
    /// CSV header names, for messages.
    let header: [String]

    func decode(_ record: InputRecord, parser: JSONParser) -> MappedRecord {
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
        case .csv(let fields):
            if fields.allBlank { return .problem(.emptyRow) }
            var columns = [String?](repeating: nil, count: fields.count)
            for index in pipeline.bound.neededColumns where index < fields.count {
                guard let text = fields.string(at: index) else {
                    let name = index < header.count ? header[index] : "#\(index + 1)"
                    return .problem(
                        .invalidUTF8,
                        detail: "line \(record.line), column '\(name)' is not valid UTF-8; save the export as UTF-8 and import it again")
                }
                columns[index] = text
            }
            return pipeline.map(.columns(columns))
        }
    }
}
