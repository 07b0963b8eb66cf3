#!/usr/bin/env python3
"""Writes the capture fixtures of this folder, deterministically:

  browser-export.har    as Chrome's Network panel exports it ("Save all as HAR"), plus a BOM
  traffic.gor           as `gor --input-raw :8080 --output-file traffic.gor` records it
  serve-capture.ndjson  as `flexmap serve --capture serve-capture.ndjson` writes it

Each mixes good requests, the three credential placements (query, headers, body), a
form body, a wrong key, ambiguous credentials, a non-POST request and a damaged record.
Organisation, key and mapping are placeholders ({{ORG}}, {{KEY}}, {{MAP}}) that the tests
replace with ones they create (see README.md). Only the standard library is needed.

  python3 Fixtures/captures/generate.py     # rewrites the three files
"""
import base64
import json
import os
from urllib.parse import quote, quote_plus

HERE = os.path.dirname(os.path.abspath(__file__))
HOST = "hooks.example.com"
FLEX = "/api/contacts/flex"
WRONG_KEY = "fmk_WrongWrongWrongWrongWrongWrongWrongWrong"
OTHER_KEY = "fmk_OtherOtherOtherOtherOtherOtherOtherOther"
UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/131.0.0.0 Safari/537.36")


def urlencode(pairs):
    """A form body as browsers send it; the {{…}} placeholders stay readable."""
    return "&".join(quote_plus(n, safe="{}") + "=" + quote_plus(v, safe="{}") for n, v in pairs)


def js(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def lead(n, first, last, **extra):
    body = {"first_name": first, "last_name": last, "email": f"{first.lower()}.{last.lower()}@example.com",
            "phone": n, "utm_source": "landing-page"}
    body.update(extra)
    return body


# --------------------------------------------------------------------------- HAR

def har_headers(method, path, content_type=None, extra=()):
    headers = [
        {"name": ":authority", "value": HOST},
        {"name": ":method", "value": method},
        {"name": ":path", "value": path},
        {"name": ":scheme", "value": "https"},
        {"name": "accept", "value": "application/json, text/plain, */*"},
        {"name": "accept-encoding", "value": "gzip, deflate, br, zstd"},
        {"name": "accept-language", "value": "en-US,en;q=0.9"},
    ]
    if content_type:
        headers.append({"name": "content-type", "value": content_type})
    headers += [
        {"name": "origin", "value": "https://forms.example.com"},
        {"name": "priority", "value": "u=1, i"},
        {"name": "referer", "value": "https://forms.example.com/contact"},
        {"name": "sec-ch-ua", "value": '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"'},
        {"name": "sec-fetch-mode", "value": "cors"},
        {"name": "user-agent", "value": UA},
    ]
    for name, value in extra:
        headers.append({"name": name, "value": value})
    return headers


def har_entry(started, method, query, content_type=None, text=None, params=None, extra_headers=(),
              status=201, answer='{"status":"created"}', encoding=None, resource="fetch"):
    path = FLEX + ("?" + query if query else "")
    url = "https://" + HOST + path
    query_list = []
    if query:
        for part in query.split("&"):
            name, _, value = part.partition("=")
            query_list.append({"name": name, "value": value})
    request = {
        "method": method,
        "url": url,
        "httpVersion": "http/2.0",
        "headers": har_headers(method, path, content_type, extra_headers),
        "queryString": query_list,
        "cookies": [],
        "headersSize": -1,
        "bodySize": len(text.encode()) if text is not None else 0,
    }
    if text is not None or params is not None:
        post = {"mimeType": content_type or ""}
        if text is not None:
            post["text"] = text
        if params is not None:
            post["params"] = params
        if encoding:
            post["_encoding"] = encoding
        request["postData"] = post
    return {
        "_initiator": {"type": "script", "stack": {"callFrames": [
            {"functionName": "submitLead", "scriptId": "41", "url": "https://forms.example.com/static/form.js",
             "lineNumber": 118, "columnNumber": 14}]}},
        "_priority": "High",
        "_resourceType": resource,
        "cache": {},
        "connection": "443",
        "pageref": "page_1",
        "request": request,
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "http/2.0",
            "headers": [
                {"name": "content-type", "value": "application/json"},
                {"name": "date", "value": "Mon, 02 Mar 2026 09:15:01 GMT"},
            ],
            "cookies": [],
            "content": {"size": len(answer), "mimeType": "application/json", "text": answer},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
            "_transferSize": 212,
            "_error": None,
            "_fetchedViaServiceWorker": False,
        },
        "serverIPAddress": "203.0.113.10",
        "startedDateTime": started,
        "time": 182.416,
        "timings": {"blocked": 1.214, "dns": -1, "ssl": -1, "connect": -1, "send": 0.183, "wait": 178.902,
                    "receive": 2.117, "_blocked_queueing": 0.822, "_workerStart": -1, "_workerReady": -1,
                    "_workerFetchStart": -1, "_workerRespondWithSettled": -1},
    }


def write_har():
    creds = "orgId={{ORG}}&apiKey={{KEY}}&mapId={{MAP}}"
    form_fields = [("orgId", "{{ORG}}"), ("apiKey", "{{KEY}}"), ("first_name", "Grace"), ("last_name", "Hopper"),
                   ("email", "grace.hopper@example.com"), ("phone", "+1 201 555 0104"), ("utm_source", "newsletter")]
    form_text = urlencode(form_fields)
    b64_body = base64.b64encode(js(lead("+12015550106", "Alan", "Turing")).encode()).decode()
    entries = [
        # 1: the browser's CORS preflight for the JSON posts: not a webhook request.
        har_entry("2026-03-02T09:15:00.101Z", "OPTIONS", "mapId={{MAP}}", status=204, answer="",
                  resource="preflight", extra_headers=[("access-control-request-method", "POST"),
                                                       ("access-control-request-headers", "content-type,x-api-key")]),
        # 2: credentials in the query, JSON body.
        har_entry("2026-03-02T09:15:01.123Z", "POST", creds, "application/json",
                  js(lead("+12015550101", "Ada", "Lovelace"))),
        # 3: credentials in headers, JSON with a charset.
        har_entry("2026-03-02T09:15:02.250Z", "POST", "", "application/json;charset=UTF-8",
                  js(lead("+12015550102", "Katherine", "Johnson")),
                  extra_headers=[("x-org-id", "{{ORG}}"), ("x-api-key", "{{KEY}}"), ("x-map-id", "{{MAP}}")]),
        # 4: credentials in the JSON body.
        har_entry("2026-03-02T09:15:03.375Z", "POST", "", "application/json",
                  js({"orgId": "{{ORG}}", "apiKey": "{{KEY}}", "mapId": "{{MAP}}",
                      **lead("+12015550103", "Dorothy", "Vaughan")})),
        # 5: a form builder's form post: mapId in the URL, the rest in the form (text and params, as Chrome writes).
        har_entry("2026-03-02T09:15:04.500Z", "POST", "mapId={{MAP}}", "application/x-www-form-urlencoded",
                  form_text, params=[{"name": n, "value": quote(v, safe="{}")} for n, v in form_fields]),
        # 6: a wrong key.
        har_entry("2026-03-02T09:15:05.625Z", "POST", "orgId={{ORG}}&apiKey=" + WRONG_KEY + "&mapId={{MAP}}",
                  "application/json", js(lead("+12015550110", "Mary", "Jackson")), status=401,
                  answer='{"error":"auth-invalid"}'),
        # 7: ambiguous: orgId in the body and another one in a header.
        har_entry("2026-03-02T09:15:06.750Z", "POST", "apiKey={{KEY}}&mapId={{MAP}}", "application/json",
                  js({"orgId": "{{ORG}}", **lead("+12015550111", "Annie", "Easley")}),
                  extra_headers=[("x-org-id", "org_SomebodyElse00000")], status=400,
                  answer='{"error":"credentials-ambiguous"}'),
        # 8: damaged: the body is marked base64 but is not.
        har_entry("2026-03-02T09:15:07.875Z", "POST", creds, "application/json", "eyJwaG9uZSI6!!broken!!",
                  encoding="base64", status=400, answer='{"error":"invalid-json"}'),
        # 9: navigator.sendBeacon posts text/plain.
        har_entry("2026-03-02T09:15:09.000Z", "POST", creds, "text/plain;charset=UTF-8",
                  js(lead("+12015550112", "Evelyn", "Boyd")), status=415,
                  answer='{"error":"unsupported-media-type"}'),
        # 10: a form sent as params only (as Firefox writes some), the same phone as entry 2: a duplicate.
        har_entry("2026-03-02T09:15:10.125Z", "POST", "mapId={{MAP}}", "application/x-www-form-urlencoded", None,
                  params=[{"name": "orgId", "value": "{{ORG}}"}, {"name": "apiKey", "value": "{{KEY}}"},
                          {"name": "first_name", "value": "Ada"}, {"name": "phone", "value": "+1 (201) 555-0101"}],
                  status=200, answer='{"status":"duplicate"}'),
        # 11: a body sent base64 (marked _encoding), credentials as Authorization: Bearer.
        har_entry("2026-03-02T09:15:11.250Z", "POST", "orgId={{ORG}}&mapId={{MAP}}", "application/json", b64_body,
                  encoding="base64", extra_headers=[("authorization", "Bearer {{KEY}}")]),
        # 12: a phone number too short for its region.
        har_entry("2026-03-02T09:15:12.375Z", "POST", creds, "application/json",
                  js(lead("555-01", "Hedy", "Lamarr")), status=422, answer='{"error":"phone-too-short"}'),
        # 13: written last but started first (a GET of the page's script): taken first.
        har_entry("2026-03-02T09:14:59.900Z", "GET", "mapId={{MAP}}", status=404, answer="", resource="script"),
    ]
    entries[7]["request"]["bodySize"] = 23
    har = {"log": {
        "version": "1.2",
        "creator": {"name": "WebInspector", "version": "537.36"},
        "pages": [{"startedDateTime": "2026-03-02T09:14:58.512Z", "id": "page_1",
                   "title": "https://forms.example.com/contact",
                   "pageTimings": {"onContentLoad": 412.291, "onLoad": 801.874}}],
        "entries": entries,
    }}
    with open(os.path.join(HERE, "browser-export.har"), "w", encoding="utf-8", newline="\n") as out:
        out.write("\ufeff" + json.dumps(har, indent=2, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------- gor

SEPARATOR = "\n🐵🙈🙉\n"


def gor_request(rid, ns, method, target, headers, body=b"", chunked=False, length=None):
    lines = [f"{method} {target} HTTP/1.1", f"Host: {HOST}", "User-Agent: Typeform-Webhooks/2.0",
             "Accept-Encoding: gzip"]
    lines += [f"{name}: {value}" for name, value in headers]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        half = len(body) // 2
        payload = b""
        for piece in (body[:half], body[half:]):
            payload += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        payload += b"0\r\n\r\n"
    else:
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body) if length is None else length}")
        payload = body
    message = ("\r\n".join(lines) + "\r\n\r\n").encode() + payload
    return f"1 {rid} {ns} -1\n".encode() + message + SEPARATOR.encode()


def gor_response(kind, rid, ns, status, text, latency):
    body = text.encode()
    message = (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
               f"Date: Mon, 02 Mar 2026 09:20:00 GMT\r\n\r\n").encode() + body
    return f"{kind} {rid} {ns} {latency}\n".encode() + message + SEPARATOR.encode()


def write_gor():
    creds = "orgId={{ORG}}&apiKey={{KEY}}&mapId={{MAP}}"
    json_type = ("Content-Type", "application/json")
    base = 1772443200000000000  # 2026-03-02T09:20:00Z in nanoseconds
    out = b""
    rid = lambda n: f"{0x5f2a9c000000 + n:012x}c0ffee{n:06d}"  # 24 hex digits, like gor's ids
    records = [
        # (request bytes, status answered)
        (gor_request(rid(1), base + 1_000_000, "POST", f"{FLEX}?{creds}", [json_type],
                     js(lead("+12015550201", "Ada", "Lovelace")).encode()), 201),
        (gor_request(rid(2), base + 2_000_000, "POST", FLEX,
                     [json_type, ("X-Org-Id", "{{ORG}}"), ("X-Api-Key", "{{KEY}}"), ("X-Map-Id", "{{MAP}}")],
                     js(lead("+12015550202", "Katherine", "Johnson")).encode(), chunked=True), 201),
        (gor_request(rid(3), base + 3_000_000, "POST", FLEX, [json_type],
                     js({"orgId": "{{ORG}}", "apiKey": "{{KEY}}", "mapId": "{{MAP}}",
                         **lead("+12015550203", "Dorothy", "Vaughan")}).encode()), 201),
        (gor_request(rid(4), base + 4_000_000, "POST", f"{FLEX}?mapId={{{{MAP}}}}",
                     [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                     urlencode([("orgId", "{{ORG}}"), ("apiKey", "{{KEY}}"), ("first_name", "Grace"),
                                ("last_name", "Hopper"), ("phone", "+1 201 555 0204")]).encode()), 201),
        (gor_request(rid(5), base + 5_000_000, "POST", f"{FLEX}?orgId={{{{ORG}}}}&apiKey={WRONG_KEY}&mapId={{{{MAP}}}}",
                     [json_type], js(lead("+12015550210", "Mary", "Jackson")).encode()), 401),
        (gor_request(rid(6), base + 6_000_000, "POST", f"{FLEX}?{creds}",
                     [json_type, ("X-Map-Id", "map_AnotherMappingEntirely00")],
                     js(lead("+12015550211", "Annie", "Easley")).encode()), 400),
        (gor_request(rid(7), base + 7_000_000, "GET", f"{FLEX}?{creds}", [("Accept", "application/json")]), 404),
        # Damaged: the capture lost the end of the body.
        (gor_request(rid(8), base + 8_000_000, "POST", f"{FLEX}?{creds}", [json_type],
                     js(lead("+12015550212", "Evelyn", "Boyd")).encode()[:40], length=137), None),
        (gor_request(rid(9), base + 9_000_000, "POST", f"{FLEX}?{creds}", [("Content-Type", "application/xml")],
                     b"<lead><phone>+12015550213</phone></lead>"), 415),
        (gor_request(rid(10), base + 10_000_000, "POST", f"{FLEX}?{creds}", [json_type],
                     js(lead("(201) 555-0201", "Ada", "Byron")).encode()), 200),
    ]
    for index, (request, status) in enumerate(records, start=1):
        out += request
        if status is not None:
            out += gor_response("2", rid(index), base + index * 1_000_000 + 150_000_000, status,
                                '{"status":"%d"}' % status, 150_000_000)
        if index == 2:
            # A replayed response (type 3) from `gor --output-http-track-response`.
            out += gor_response("3", rid(index), base + index * 1_000_000 + 160_000_000, 201, '{"status":"created"}', 9_000_000)
        if index == 7:
            # Damaged: a header line that is not "<type> <id> <timestamp>".
            out += b"1 " + rid(11).encode() + b"\nPOST " + FLEX.encode() + b"?" + creds.encode() + \
                   b" HTTP/1.1\r\nHost: hooks.example.com\r\n\r\n" + SEPARATOR.encode()
    with open(os.path.join(HERE, "traffic.gor"), "wb") as out_file:
        out_file.write(out)


# --------------------------------------------------------------------------- capture NDJSON

def capture(ts, method, query, headers, body, encoding=None):
    line = {"timestamp": ts, "method": method, "path": FLEX, "query": query,
            "headers": [[n, v] for n, v in headers], "body": body}
    if encoding:
        line["bodyEncoding"] = encoding
    return js(line)


def write_capture():
    creds = "orgId={{ORG}}&apiKey={{KEY}}&mapId={{MAP}}"
    base_headers = [("Host", "127.0.0.1:8080"), ("User-Agent", "Zapier"), ("Accept", "*/*")]
    json_type = [("Content-Type", "application/json")]
    t = lambda s: f"2026-03-02T09:30:{s:02d}.000Z"
    latin1 = js({"first_name": "Jos\u00e9", "phone": "+12015550312"}).encode("latin-1")
    lines = [
        capture(t(1), "POST", creds, base_headers + json_type, js(lead("+12015550301", "Ada", "Lovelace"))),
        capture(t(2), "POST", "", base_headers + json_type + [("X-Org-Id", "{{ORG}}"), ("X-Api-Key", "{{KEY}}"),
                                                               ("X-Map-Id", "{{MAP}}")],
                js(lead("+12015550302", "Katherine", "Johnson"))),
        capture(t(3), "POST", "", base_headers + json_type,
                js({"orgId": "{{ORG}}", "apiKey": "{{KEY}}", "mapId": "{{MAP}}",
                    **lead("+12015550303", "Dorothy", "Vaughan")})),
        capture(t(4), "POST", "mapId={{MAP}}",
                base_headers + [("Content-Type", "application/x-www-form-urlencoded")],
                urlencode([("orgId", "{{ORG}}"), ("apiKey", "{{KEY}}"), ("first_name", "Grace"),
                           ("phone", "+1 201 555 0304")])),
        capture(t(5), "POST", "orgId={{ORG}}&apiKey=" + WRONG_KEY + "&mapId={{MAP}}", base_headers + json_type,
                js(lead("+12015550310", "Mary", "Jackson"))),
        # Ambiguous: the key in the query and another key in a header.
        capture(t(6), "POST", creds, base_headers + json_type + [("X-Api-Key", OTHER_KEY)],
                js(lead("+12015550311", "Annie", "Easley"))),
        capture(t(7), "GET", creds, base_headers, ""),
        # Damaged: serve was killed while writing this line.
        capture(t(8), "POST", creds, base_headers + json_type, js(lead("+12015550313", "Evelyn", "Boyd")))[:150],
        capture(t(9), "POST", "orgId={{ORG}}&apiKey={{KEY}}&mapId=map_NoSuchMappingNoSuchMapping",
                base_headers + json_type, js(lead("+12015550314", "Hedy", "Lamarr"))),
        capture(t(10), "POST", "orgId={{ORG}}&mapId={{MAP}}", base_headers + json_type,
                js(lead("+12015550315", "Radia", "Perlman"))),
        capture(t(11), "POST", creds, base_headers + json_type, js(lead("+1 201 555", "Frances", "Allen"))),
        capture(t(12), "POST", creds, base_headers + [("Content-Type", "application/json; charset=ISO-8859-1")],
                base64.b64encode(latin1).decode(), encoding="base64"),
        capture(t(13), "POST", creds, base_headers + [("Content-Type", "multipart/form-data; boundary=xyz")],
                '--xyz\r\nContent-Disposition: form-data; name="phone"\r\n\r\n+12015550316\r\n--xyz--\r\n'),
        capture(t(14), "POST", creds, base_headers + json_type, js(lead("+1-201-555-0301", "Ada", "King"))),
    ]
    with open(os.path.join(HERE, "serve-capture.ndjson"), "w", encoding="utf-8", newline="\n") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    write_har()
    write_gor()
    write_capture()
