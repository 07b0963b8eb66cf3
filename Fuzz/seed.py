#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from the fixtures: seed.py OUT_DIR.

Each target gets OUT_DIR/<Target>/<name> files in the form its harness reads
(Sources/FlexMapFuzzing): readers take one options byte, then the file.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Fixtures")


def read(*parts):
    with open(os.path.join(FIX, *parts), "rb") as f:
        return f.read()


def files(folder, suffix):
    path = os.path.join(FIX, folder)
    return sorted(n for n in os.listdir(path) if n.endswith(suffix))


def main(out):
    seeds = {}

    def add(target, name, data):
        seeds.setdefault(target, []).append((name, data))

    # Readers: options byte 0 (defaults) and 0x88 (a small record limit).
    for folder in ("csv", "demo"):
        for name in files(folder, ".csv"):
            for options in (0, 0x88):
                add("FuzzCSV", f"{folder}-{name}-{options:02x}", bytes([options]) + read(folder, name))
    add("FuzzCSV", "formulas", b"\x00id,name,phone\n1,=cmd|' /C calc'!A0,+1 415 555 0100\n2,\"@SUM(1,2)\",-5\n")
    for name in files("demo", ".ndjson"):
        add("FuzzNDJSON", name, b"\x00" + read("demo", name))
    add("FuzzNDJSON", "nested", b"\x00" + b'{"a":' * 40 + b"1" + b"}" * 40 + b'\n{"phone":"+12015550123","tags":["a","b"]}\n')
    for name in files("captures", ".har"):
        add("FuzzHAR", name, b"\x00" + read("captures", name))
    for name in files("captures", ".gor"):
        add("FuzzGor", name, b"\x00" + read("captures", name))
    for name in files("captures", ".ndjson"):
        add("FuzzCapture", name, b"\x00" + read("captures", name))
        add("FuzzCapture", name + "-override", b"\x01" + read("captures", name))
        add("FuzzNDJSON", "capture-" + name, b"\x00" + read("captures", name))
    for folder in ("mappings", "captures"):
        for name in files(folder, ".json"):
            add("FuzzMapping", name, read(folder, name))
    for index, path in enumerate(
        ["a.b[0].c", 'a["key.with.dots"]', "['first name']", "properties.email", "x[12]['y\\'z'].w", "Phone Number"]
    ):
        add("FuzzFieldPath", f"path{index}", path.encode())

    # serve: the raw HTTP requests (type 1 records) of the GoReplay fixture.
    gor = read("captures", "traffic.gor")
    for index, record in enumerate(gor.split("\n🐵🙈🙉\n".encode())):
        head, _, message = record.lstrip(b"\n").partition(b"\n")
        if head.startswith(b"1 ") and message:
            add("FuzzServe", f"gor{index}", message)
    add("FuzzServe", "health", b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")

    # Credentials: flags, query, 0xFF, header lines, 0xFF, body. Forms: bodies.
    creds = [
        (0, b"orgId={{ORG}}&apiKey=fmk_FuzzKey0123456789abcdef&mapId={{MAP}}", b"", b'{"phone":"+12015550123"}'),
        (0, b"", b"x-org-id: {{ORG}}\nx-api-key: fmk_FuzzKey0123456789abcdef\nx-map-id: {{MAP}}", b'{"phone":"1"}'),
        (1, b"mapId={{MAP}}", b"Authorization: Bearer fmk_FuzzKey0123456789abcdef", b"orgId={{ORG}}&phone=%2B12015550123"),
        (0, b"apiKey=fmk_1", b"x-api-key: fmk_2", b'{"apiKey":"fmk_FuzzKey0123456789abcdef","mapId":"map_other"}'),
    ]
    for index, (flags, query, headers, body) in enumerate(creds):
        add("FuzzCredentials", f"creds{index}", bytes([flags]) + query + b"\xff" + headers + b"\xff" + body)
        add("FuzzForm", f"form{index}", query + b"&" + body)
    add("FuzzForm", "lists", b"tags[]=a&tags[]=b&name=Ann+Lee&x=%E2%82%AC&y")

    for target, items in seeds.items():
        folder = os.path.join(out, target)
        os.makedirs(folder, exist_ok=True)
        for name, data in items:
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
    print(f"seeds: {sum(len(v) for v in seeds.values())} files for {len(seeds)} targets in {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".build-fuzz/seeds")
