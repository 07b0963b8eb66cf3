/// When and how soon a replay sends a request again: on 429, on 5xx and on connection
/// errors (refused, reset, timed out), up to `maxRetries` times. The wait honours the
/// answer's Retry-After (seconds or an HTTP date, capped at `maxRetryAfter`), else it is
/// exponential backoff with full jitter: a uniform random wait between 0 and
/// min(maxBackoff, baseDelay · 2^(retry − 1)). Pure: the caller passes the clock and the
/// random source.
public struct RetryPolicy: Sendable, Equatable {
    public var maxRetries: Int
    /// Nanoseconds.
    public var baseDelay: UInt64
    public var maxBackoff: UInt64
    public var maxRetryAfter: UInt64

    public init(
        maxRetries: Int = 0, baseDelay: UInt64 = 100_000_000, maxBackoff: UInt64 = 10_000_000_000,
        maxRetryAfter: UInt64 = 30_000_000_000
    ) {
        self.maxRetries = max(0, maxRetries)
        self.baseDelay = baseDelay
        self.maxBackoff = maxBackoff
        self.maxRetryAfter = maxRetryAfter
    }

    /// Whether an attempt that ended like this may be tried again.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || (500...599).contains(status)
    }

    public static func isRetryable(error: ReplayErrorKind) -> Bool {
        switch error {
        case .connect, .reset, .timeout: return true
        case .tls, .other: return false
        }
    }

    /// Whether an attempt that ended like this, the `attempt`-th, gets another.
    public func retries(afterAttempt attempt: Int, status: Int?, error: ReplayErrorKind?) -> Bool {
        guard attempt <= maxRetries else { return false }
        if let status { return Self.isRetryable(status: status) }
        return error.map(Self.isRetryable(error:)) ?? false
    }

    /// The wait before the next attempt, or nil when the request is done: not
    /// retryable, or `attempt` (1-based, the one that just ended) used the last retry.
    /// `now` is the wall clock (Unix seconds) for HTTP dates; `random` is a uniform
    /// value in 0..<1.
    public func delay(
        afterAttempt attempt: Int, status: Int?, error: ReplayErrorKind?, retryAfter: String?, now: Double,
        random: Double
    ) -> UInt64? {
        guard retries(afterAttempt: attempt, status: status, error: error) else { return nil }
        if let retryAfter, let seconds = RetryAfter.seconds(retryAfter, now: now) {
            let nanoseconds = seconds * 1e9
            return nanoseconds >= Double(maxRetryAfter) ? maxRetryAfter : UInt64(nanoseconds.rounded())
        }
        return backoff(retry: attempt, random: random)
    }

    /// Full jitter: uniform in 0...min(maxBackoff, baseDelay · 2^(retry − 1)).
    public func backoff(retry: Int, random: Double) -> UInt64 {
        let shift = min(62, max(0, retry - 1))
        let (scaled, overflow) = baseDelay.multipliedReportingOverflow(by: UInt64(1) << UInt64(shift))
        let ceiling = overflow ? maxBackoff : min(maxBackoff, scaled)
        return UInt64((Double(ceiling) * min(max(random, 0), 1)).rounded(.down))
    }
}

/// A `Retry-After` header's wait: delta-seconds ("120") or an HTTP date
/// ("Sun, 06 Nov 1994 08:49:37 GMT", or the obsolete RFC 850 and asctime forms).
public enum RetryAfter {
    /// Seconds to wait from `now` (Unix seconds); 0 for a date in the past; nil when the
    /// value is neither form.
    public static func seconds(_ text: String, now: Double) -> Double? {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { return nil }
        if trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard trimmed.utf8.count <= 9, let value = Int(trimmed) else {
                return trimmed.utf8.count > 9 ? .infinity : nil
            }
            return Double(value)
        }
        guard let date = httpDate(trimmed) else { return nil }
        return max(0, date - now)
    }

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Unix seconds of an HTTP date (RFC 9110 §5.6.7), or nil.
    public static func httpDate(_ text: String) -> Double? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," }).map { String($0) }
        func month(_ word: String) -> Int? { months.firstIndex(of: word.lowercased()).map { $0 + 1 } }
        func clock(_ word: String) -> (Int, Int, Int)? {
            let parts = word.split(separator: ":").compactMap { Int($0) }
            guard parts.count == 3, parts[0] < 24, parts[1] < 60, parts[2] <= 60 else { return nil }
            return (parts[0], parts[1], parts[2])
        }
        var year = 0, monthNumber = 0, day = 0
        var time: (Int, Int, Int)?
        if words.count == 6, words[5].uppercased() == "GMT", let m = month(words[2]), let d = Int(words[1]),
            let y = Int(words[3]), words[3].count == 4
        {
            // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
            (year, monthNumber, day, time) = (y, m, d, clock(words[4]))
        } else if words.count == 4, words[3].uppercased() == "GMT" {
            // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            let parts = words[1].split(separator: "-").map(String.init)
            guard parts.count == 3, let d = Int(parts[0]), let m = month(parts[1]), let y = Int(parts[2]) else {
                return nil
            }
            // Two-digit years: RFC 9110 says a year more than 50 years ahead is in the past century.
            (year, monthNumber, day, time) = (
                parts[2].count == 2 ? (y < 70 ? 2000 + y : 1900 + y) : y, m, d, clock(words[2])
            )
        } else if words.count == 5, let m = month(words[1]), let d = Int(words[2]), let y = Int(words[4]) {
            // asctime: Sun Nov  6 08:49:37 1994
            (year, monthNumber, day, time) = (y, m, d, clock(words[3]))
        } else {
            return nil
        }
        guard let (hour, minute, second) = time, (1...31).contains(day), year >= 1970 else { return nil }
        let days = daysFromCivil(year: year, month: monthNumber, day: day)
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// Why a request ended without an HTTP answer, as `errors` in summary.json counts it.
public enum ReplayErrorKind: String, Sendable, CaseIterable, Comparable {
    /// The connection could not be made (refused, no route, the name did not resolve).
    case connect
    /// No complete answer within --timeout.
    case timeout
    /// The connection broke: reset, closed before an answer, a send or receive failure.
    case reset
    /// TLS handshake or certificate failure.
    case tls
    /// Anything else libcurl reports.
    case other

    public static func < (lhs: ReplayErrorKind, rhs: ReplayErrorKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
