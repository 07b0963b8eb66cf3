import Testing

@testable import FlexMapCore

@Suite struct CredentialResolverTests {
    let all = CredentialSources(query: [("orgId", "org_1"), ("apiKey", "fmk_secret"), ("mapId", "map_1")])

    @Test func fromEachPlacement() throws {
        #expect(
            try CredentialResolver.resolve(all).get()
                == Credentials(orgId: "org_1", apiKey: "fmk_secret", mapId: "map_1"))
        let headers = CredentialSources(headers: [
            ("X-Org-Id", "org_1"), ("x-api-key", "fmk_secret"), ("X-MAP-ID", "map_1"),
        ])
        #expect(try CredentialResolver.resolve(headers).get().orgId == "org_1")
        let body = CredentialSources(body: [("orgId", "org_1"), ("apiKey", "fmk_secret"), ("mapId", "map_1")])
        #expect(try CredentialResolver.resolve(body).get().mapId == "map_1")
        let mixed = CredentialSources(
            query: [("mapId", "map_1")],
            headers: [("x-organization-id", "org_1"), ("Authorization", "Bearer fmk_secret")])
        #expect(
            try CredentialResolver.resolve(mixed).get()
                == Credentials(orgId: "org_1", apiKey: "fmk_secret", mapId: "map_1"))
    }

    @Test func sameValueTwiceIsFine() throws {
        var sources = all
        sources.headers = [("x-org-id", "org_1")]
        #expect(try CredentialResolver.resolve(sources).get().orgId == "org_1")
    }

    @Test func differentValuesAreAmbiguousAndNoValueIsShown() {
        var sources = all
        sources.headers = [("x-api-key", "fmk_other")]
        guard case .failure(let failure) = CredentialResolver.resolve(sources) else {
            Issue.record("expected credentials-ambiguous")
            return
        }
        #expect(failure.reason == .credentialsAmbiguous)
        #expect(failure.detail.contains("apiKey"))
        #expect(!failure.detail.contains("fmk_"))

        let twiceInQuery = CredentialSources(query: all.query + [("mapId", "map_2")])
        guard case .failure(let second) = CredentialResolver.resolve(twiceInQuery) else {
            Issue.record("expected credentials-ambiguous")
            return
        }
        #expect(second.detail.contains("twice in the query"))
    }

    @Test func missingOnesAreNamed() {
        guard case .failure(let failure) = CredentialResolver.resolve(CredentialSources(query: [("orgId", "org_1")]))
        else {
            Issue.record("expected auth-missing")
            return
        }
        #expect(failure.reason == .authMissing)
        #expect(failure.detail.contains("apiKey, mapId"))
    }

    @Test func fallbackFillsOnlyWhatIsMissing() throws {
        let sources = CredentialSources(query: [("mapId", "map_1"), ("orgId", "org_1")])
        let result = CredentialResolver.resolve(sources, fallback: [.apiKey: "fmk_fallback", .orgId: "org_other"])
        #expect(try result.get() == Credentials(orgId: "org_1", apiKey: "fmk_fallback", mapId: "map_1"))
    }

    @Test func credentialsAreStrippedFromBodies() throws {
        let body = try JSONParser().parse(
            #"{"orgId":"o","apiKey":"k","map_id":"m","phone":"+1","nested":{"apiKey":"stays"}}"#)
        let object = try #require(body.objectValue)
        #expect(CredentialResolver.bodyFields(object).map(\.name) == ["orgId", "apiKey", "map_id"])
        #expect(CredentialResolver.stripped(object).keys == ["phone", "nested"])
    }
}
