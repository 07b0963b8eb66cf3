import FlexMapCore

/// What `serve` answers, as a pure value: the status code and the JSON body
///
///     {"outcome":"created|skipped|invalidPhone|rejected|error","reason":null|"<reason>",
///      "detail":"...","mapId":"map_…"|null}
///
/// (plus `"contactId"` for a created contact). Reasons are the names import reports
/// use, so a replay can compare a live answer with an offline prediction. Nothing in
/// it comes from a credential but the mapId.
public struct ServeAnswer: Sendable, Equatable {
    public var status: Int
    /// An OutcomeKind's raw value, or "error" when the server could not take the
    /// request (503 overloaded, 500 store error): nothing was stored, try again.
    public var outcome: String
    public var reason: String?
    public var detail: String
    public var mapId: String?
    public var contactId: Int64?
    /// Extra response headers: Allow for 405, Retry-After for 503.
    public var headers: [(name: String, value: String)] = []

    public static func == (lhs: ServeAnswer, rhs: ServeAnswer) -> Bool {
        lhs.status == rhs.status && lhs.outcome == rhs.outcome && lhs.reason == rhs.reason && lhs.detail == rhs.detail
            && lhs.mapId == rhs.mapId && lhs.contactId == rhs.contactId
            && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    /// 201: the contact is stored (its transaction committed).
    public static func created(mapId: String?, contactId: Int64?) -> ServeAnswer {
        ServeAnswer(
            status: 201, outcome: OutcomeKind.created.rawValue, reason: nil, detail: "contact created", mapId: mapId,
            contactId: contactId)
    }

    /// Any reason a request did not create a contact, with the status `Reason.httpStatus` gives.
    public static func problem(_ reason: Reason, detail: String, mapId: String? = nil) -> ServeAnswer {
        ServeAnswer(
            status: reason.httpStatus, outcome: reason.kind.rawValue, reason: reason.rawValue, detail: detail,
            mapId: mapId)
    }

    /// 404: not the webhook path.
    public static func notFound(path: String) -> ServeAnswer {
        problem(
            .notAWebhookRequest,
            detail: "no endpoint at \(path.prefix(200)); webhooks go to POST \(WebhookRequest.flexPath)")
    }

    /// 405: the path exists, the method does not.
    public static func methodNotAllowed(method: String, path: String, allow: String) -> ServeAnswer {
        let shown = ServeLogEntry.shown(path: Substring(method), limit: 20)
        var answer = problem(.notAWebhookRequest, detail: "\(shown) is not allowed on \(path); use \(allow)")
        answer.status = 405
        answer.headers = [("Allow", allow)]
        return answer
    }

    /// 413: the body is larger than --max-body.
    public static func tooLarge(limit: Int) -> ServeAnswer {
        problem(.recordTooLarge, detail: "the body is larger than the limit of \(limit) bytes (--max-body)")
    }

    /// 503: the writer's queue is full, or the server is stopping.
    public static func unavailable(_ detail: String) -> ServeAnswer {
        ServeAnswer(
            status: 503, outcome: "error", reason: "unavailable", detail: detail + "; nothing was stored, try again",
            mapId: nil, headers: [("Retry-After", "1")])
    }

    /// 500: the transaction holding this contact did not commit.
    public static func storeFailed(mapId: String?) -> ServeAnswer {
        ServeAnswer(
            status: 500, outcome: "error", reason: "store-error",
            detail: "the store could not commit; nothing was stored, try again", mapId: mapId)
    }

    public var json: String {
        var members: [(key: String, value: JSONValue)] = [
            ("outcome", .string(outcome)),
            ("reason", reason.map(JSONValue.string) ?? .null),
            ("detail", .string(detail)),
            ("mapId", mapId.map(JSONValue.string) ?? .null),
        ]
        if let contactId { members.append(("contactId", .int(contactId))) }
        return JSONText.encode(.object(JSONObject(members)))
    }

    public var response: HTTPResponse { .json(status, json, headers: headers) }

    /// `GET /healthz`.
    public static let healthy = HTTPResponse.json(200, #"{"status":"ok"}"#)
}
