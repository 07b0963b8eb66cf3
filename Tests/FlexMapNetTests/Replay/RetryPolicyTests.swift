import Testing

@testable import FlexMapNet

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxRetries: 3)

    @Test func retriesOn429And5xxAndConnectionErrorsOnly() {
        for status in [429, 500, 502, 503, 504] {
            #expect(
                policy.delay(afterAttempt: 1, status: status, error: nil, retryAfter: nil, now: 0, random: 0.5) != nil,
                "\(status)")
        }
        for status in [200, 201, 400, 401, 404, 409, 422] {
            #expect(
                policy.delay(afterAttempt: 1, status: status, error: nil, retryAfter: nil, now: 0, random: 0.5) == nil,
                "\(status)")
        }
        for error in [ReplayErrorKind.connect, .reset, .timeout] {
            #expect(
                policy.delay(afterAttempt: 1, status: nil, error: error, retryAfter: nil, now: 0, random: 0.5) != nil)
        }
        #expect(policy.delay(afterAttempt: 1, status: nil, error: .tls, retryAfter: nil, now: 0, random: 0.5) == nil)
    }

    @Test func stopsAfterTheLastRetry() {
        #expect(policy.delay(afterAttempt: 3, status: 503, error: nil, retryAfter: nil, now: 0, random: 0) != nil)
        #expect(policy.delay(afterAttempt: 4, status: 503, error: nil, retryAfter: nil, now: 0, random: 0) == nil)
        #expect(
            RetryPolicy(maxRetries: 0).delay(
                afterAttempt: 1, status: 503, error: nil, retryAfter: nil, now: 0, random: 0) == nil)
    }

    @Test func fullJitterStaysUnderTheExponentialCeiling() {
        // base 100 ms: ceilings 100, 200, 400 ms ... capped at 10 s.
        #expect(policy.backoff(retry: 1, random: 0.999_999) <= 100_000_000)
        #expect(policy.backoff(retry: 3, random: 1) == 400_000_000)
        #expect(policy.backoff(retry: 3, random: 0) == 0)
        #expect(policy.backoff(retry: 3, random: 0.5) == 200_000_000)
        #expect(policy.backoff(retry: 20, random: 1) == 10_000_000_000)
        #expect(policy.backoff(retry: 200, random: 1) == 10_000_000_000)
        var generator = SplitMix(seed: 1)
        var seen = Set<UInt64>()
        for _ in 0..<100 {
            let wait = policy.backoff(retry: 2, random: Double(generator.next() % 1_000_000) / 1_000_000)
            #expect(wait <= 200_000_000)
            seen.insert(wait / 10_000_000)
        }
        #expect(seen.count > 10, "the waits are spread, not all the same")
    }

    @Test func retryAfterSecondsWinsAndIsCapped() {
        #expect(
            policy.delay(afterAttempt: 1, status: 503, error: nil, retryAfter: "2", now: 0, random: 0) == 2_000_000_000)
        #expect(policy.delay(afterAttempt: 1, status: 429, error: nil, retryAfter: " 0 ", now: 0, random: 0.9) == 0)
        #expect(
            policy.delay(afterAttempt: 1, status: 503, error: nil, retryAfter: "3600", now: 0, random: 0)
                == 30_000_000_000)
        #expect(
            policy.delay(afterAttempt: 1, status: 503, error: nil, retryAfter: "99999999999", now: 0, random: 0)
                == 30_000_000_000)
        // Unreadable: backoff instead.
        #expect(
            policy.delay(afterAttempt: 1, status: 503, error: nil, retryAfter: "soon", now: 0, random: 1) == 100_000_000
        )
    }

    @Test func retryAfterHTTPDates() {
        // Sun, 06 Nov 1994 08:49:37 GMT is 784111777.
        let now = 784_111_777.0
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT", now: now - 5) == 5)
        #expect(RetryAfter.seconds("Sunday, 06-Nov-94 08:49:37 GMT", now: now - 5) == 5)
        #expect(RetryAfter.seconds("Sun Nov  6 08:49:37 1994", now: now - 5) == 5)
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT", now: now + 60) == 0, "a past date: no wait")
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 25:49:37 GMT", now: now) == nil)
        #expect(RetryAfter.seconds("tomorrow", now: now) == nil)
        #expect(RetryAfter.seconds("-5", now: now) == nil)
        #expect(RetryAfter.httpDate("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(RetryAfter.httpDate("Fri, 04 Dec 2026 20:00:00 GMT") == 1_796_414_400)
    }
}
