/// The four outcomes every input row ends in.
public enum OutcomeKind: String, Sendable, CaseIterable, Codable {
    case created
    case skipped
    case invalidPhone
    case rejected
}

/// Why a row was not created (or, for `duplicateUpdated`, how it was merged). The raw
/// values are the names reports, `serve` answers and `summary.json` use.
public enum Reason: String, Sendable, CaseIterable, Hashable, Codable {
    // skipped
    case duplicate
    case duplicateUpdated = "duplicate-updated"
    case mappingInactive = "mapping-inactive"
    case emptyRow = "empty-row"
    // invalid phone
    case phoneMissing = "phone-missing"
    case phoneNotANumber = "phone-not-a-number"
    case phoneInvalidCountryCode = "phone-invalid-country-code"
    case phoneTooShort = "phone-too-short"
    case phoneTooLong = "phone-too-long"
    case phoneInvalidLength = "phone-invalid-length"
    case phoneNotAssigned = "phone-not-assigned"
    // rejected: the input is not a usable record
    case invalidJSON = "invalid-json"
    case notAnObject = "not-an-object"
    case invalidUTF8 = "invalid-utf8"
    case unterminatedQuote = "unterminated-quote"
    case tooManyFields = "too-many-fields"
    case tooFewFields = "too-few-fields"
    case recordTooLarge = "record-too-large"
    // rejected: a field breaks the contact's rules
    case fieldTooLong = "field-too-long"
    case fieldInvalid = "field-invalid"
    case unsupportedValue = "unsupported-value"
    case crmPairIncomplete = "crm-pair-incomplete"
    case backupPhoneInvalid = "backup-phone-invalid"
    // rejected: a webhook request that cannot be taken
    case authMissing = "auth-missing"
    case authInvalid = "auth-invalid"
    case mappingUnknown = "mapping-unknown"
    case mappingOtherOrg = "mapping-other-org"
    case credentialsAmbiguous = "credentials-ambiguous"
    case unsupportedMediaType = "unsupported-media-type"
    case notAWebhookRequest = "not-a-webhook-request"
    case malformedRequest = "malformed-request"

    public var kind: OutcomeKind {
        switch self {
        case .duplicate, .duplicateUpdated, .mappingInactive, .emptyRow:
            return .skipped
        case .phoneMissing, .phoneNotANumber, .phoneInvalidCountryCode, .phoneTooShort, .phoneTooLong,
            .phoneInvalidLength, .phoneNotAssigned:
            return .invalidPhone
        default:
            return .rejected
        }
    }

    /// One sentence for people reading a report.
    public var explanation: String {
        switch self {
        case .duplicate: return "a contact with this phone number already exists in the organisation"
        case .duplicateUpdated: return "merged into the existing contact with this phone number"
        case .mappingInactive: return "the mapping is inactive, so it takes nothing in"
        case .emptyRow: return "every field of the row is empty"
        case .phoneMissing: return "no phone number in the mapped source fields"
        case .phoneNotANumber: return "the phone field does not hold a phone number"
        case .phoneInvalidCountryCode:
            return
                "no valid country code: write the number with + and its country code, or set country_code or defaultRegion"
        case .phoneTooShort: return "too short for a number of its region"
        case .phoneTooLong: return "too long for a number of its region"
        case .phoneInvalidLength: return "a length no number of its region has"
        case .phoneNotAssigned: return "not in an assigned number range of its region"
        case .invalidJSON: return "the line is not valid JSON"
        case .notAnObject: return "the line is JSON but not an object"
        case .invalidUTF8: return "a mapped field is not valid UTF-8 text"
        case .unterminatedQuote: return "a quoted field is never closed"
        case .tooManyFields: return "the row has more fields than the header"
        case .tooFewFields: return "the row has fewer fields than the header"
        case .recordTooLarge: return "the record is larger than the limit"
        case .fieldTooLong: return "a field is longer than its limit"
        case .fieldInvalid: return "a field's value is not allowed"
        case .unsupportedValue: return "a source field holds an object or array where text is needed"
        case .crmPairIncomplete: return "crm_id and crm_source must be given together or not at all"
        case .backupPhoneInvalid: return "backup_contact_phone is not a valid phone number"
        case .authMissing: return "orgId, apiKey or mapId is missing"
        case .authInvalid: return "the API key is unknown, revoked or belongs to another organisation"
        case .mappingUnknown: return "no mapping has this mapId"
        case .mappingOtherOrg: return "the mapping belongs to another organisation"
        case .credentialsAmbiguous: return "a credential is given twice with different values"
        case .unsupportedMediaType: return "the body is neither JSON nor a form (application/x-www-form-urlencoded)"
        case .notAWebhookRequest: return "not a POST to /api/contacts/flex"
        case .malformedRequest:
            return
                "a damaged captured request: a broken record header, request line, headers or body (shorter than its Content-Length, bad chunks)"
        }
    }

    /// The status `serve` answers with, so replays can compare live answers with
    /// predictions: 201 created, 200 skipped duplicate, 422 invalid phone or field,
    /// 400 malformed or ambiguous, 401 bad credentials, 403 inactive, 404 unknown mapping,
    /// 413 too large, 415 unsupported media type.
    public var httpStatus: Int {
        switch self {
        case .duplicate, .duplicateUpdated: return 200
        case .mappingInactive: return 403
        case .authMissing, .authInvalid: return 401
        case .mappingUnknown, .mappingOtherOrg: return 404
        case .notAWebhookRequest: return 404
        case .unsupportedMediaType: return 415
        case .recordTooLarge: return 413
        case .invalidJSON, .notAnObject, .invalidUTF8, .credentialsAmbiguous, .unterminatedQuote, .tooManyFields,
            .tooFewFields, .malformedRequest:
            return 400
        default: return 422
        }
    }
}
