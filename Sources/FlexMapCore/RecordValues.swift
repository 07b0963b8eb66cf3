/// One input record as the pipeline reads it.
public enum RecordValues: Sendable {
    /// A CSV row: the text of each column the mapping reads (by header position); columns
    /// the mapping does not read may be nil.
    case columns([String?])
    /// A JSON record (NDJSON line, webhook body).
    case json(JSONValue)
}

/// What the pipeline makes of a record before the store sees it.
public enum MappedRecord: Sendable, Equatable {
    /// A valid contact; the store decides whether it is created or a duplicate.
    case contact(Contact)
    /// Not a contact: skipped, invalid phone or rejected, with a human detail that never
    /// holds a secret.
    case problem(Reason, detail: String)

    public static func problem(_ reason: Reason) -> MappedRecord { .problem(reason, detail: reason.explanation) }
}
