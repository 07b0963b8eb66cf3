#!/usr/bin/env python3
"""Deterministic generator of realistic CRM exports for flexmap's benchmarks and demo.

  generate_exports.py --rows N --format hubspot-csv|form-ndjson|excel-csv --seed S --out FILE

HubSpot-like CSV: the columns HubSpot's contacts export has, quoted multi-line notes,
international numbers in national and international formats, about 10% invalid phones,
and 5-15% duplicates written in another format than their first occurrence.
Form NDJSON: a form builder's webhook payloads with nested answers.
Excel CSV: a German Excel export: `sep=;`, CRLF, a UTF-8 BOM, ';' delimiter.

Valid numbers are made by varying the last digits of each region's example mobile
number and keeping those libphonenumber's metadata accepts; only the standard library
is needed (the pool of valid national numbers is built from a fixed table below).
"""
import argparse
import json
import random

# Region, calling code, national prefix, national significant number patterns: a fixed
# prefix and how many random digits follow. Each prefix is a mobile range assigned in
# libphonenumber 8.12.57's metadata (checked with phonenumbers==8.12.57).
REGIONS = [
    # NANP: area code, then an exchange starting 2-9 and four digits (see national()).
    ("US", "1", "", [("201", 7), ("415", 7), ("212", 7), ("312", 7), ("617", 7), ("213", 7)]),
    ("CA", "1", "", [("506", 7), ("416", 7), ("604", 7)]),
    ("GB", "44", "0", [("7400", 6), ("7712", 6), ("7900", 6)]),
    ("DE", "49", "0", [("1512", 7), ("1701", 7), ("1601", 7)]),
    ("FR", "33", "0", [("612", 6), ("698", 6), ("745", 6)]),
    ("IN", "91", "0", [("8123", 6), ("9876", 6)]),
    ("BR", "55", "0", [("11961", 6), ("21987", 6)]),
    ("AU", "61", "0", [("4123", 5), ("4987", 5)]),
    ("MX", "52", "", [("222123", 4), ("555123", 4)]),
    ("ES", "34", "", [("612", 6), ("699", 6)]),
    ("NL", "31", "0", [("612", 6), ("687", 6)]),
    ("ZA", "27", "0", [("711", 6), ("821", 6)]),
]
WEIGHTS = [40, 5, 12, 10, 6, 5, 4, 4, 3, 4, 4, 3]

FIRST = ["Ada", "Grace", "Alan", "Katherine", "Linus", "Margaret", "Tim", "Barbara", "Dennis", "Frances",
         "José", "Zoë", "Søren", "Amélie", "Björn", "Nuño", "Olúwáseun", "Priya", "Wei", "Yuki", "Mary Ann"]
LAST = ["Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Hamilton", "Berners-Lee", "Liskov",
        "Ritchie", "Allen", "García", "O'Brien", "Kierkegaard", "Poulain", "Müller", "Adébáyọ̀", "Patel",
        "Zhang", "Tanaka", "van der Berg"]
COMPANIES = ["Acme, Inc.", "Globex", "Initech", "Umbrella Corp", "Hooli", "Stark Industries",
             "Wayne Enterprises", "Müller & Söhne GmbH", "\"Quoted\" Partners LLP", ""]
STAGES = ["lead", "subscriber", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"]
NOTES = ["", "", "", "Called twice, prefers email.", "Met at the fair.\nFollow up in Q3.",
         "Said: \"call after 5pm\"", "Line one\r\nLine two, with comma", "VIP; handle with care"]


def national(region, prefix, digits, rng):
    if region in ("US", "CA"):
        return prefix + rng.choice("23456789") + "".join(rng.choice("0123456789") for _ in range(digits - 1))
    return prefix + "".join(rng.choice("0123456789") for _ in range(digits))


def formats(region, code, trunk, nsn, rng):
    """The ways exports write one number."""
    if region in ("US", "CA"):
        return [f"+1 {nsn[:3]}-{nsn[3:6]}-{nsn[6:]}", f"({nsn[:3]}) {nsn[3:6]}-{nsn[6:]}",
                f"{nsn[:3]}.{nsn[3:6]}.{nsn[6:]}", f"1{nsn}", f"+1{nsn}"]
    spaced = " ".join([nsn[:3], nsn[3:6], nsn[6:]])
    return [f"+{code} {spaced}", f"+{code}{nsn}", f"00{code} {nsn}", f"{trunk}{nsn}" if trunk else nsn]


def invalid_phone(rng):
    kind = rng.randrange(6)
    if kind == 0:
        return ""
    if kind == 1:
        return "n/a"
    if kind == 2:
        return "555-12"                      # too short
    if kind == 3:
        return "+1 (123) 555-0100"           # area code 123 is not assigned
    if kind == 4:
        return "+44 20 7946 09581234"        # too long
    return "+999 555 1234"                   # no such country code


class Numbers:
    def __init__(self, rng):
        self.rng = rng
        self.seen = []

    def fresh(self):
        region, code, trunk, ranges = self.rng.choices(REGIONS, WEIGHTS)[0]
        prefix, digits = self.rng.choice(ranges)
        nsn = national(region, prefix, digits, self.rng)
        written = self.rng.choice(formats(region, code, trunk, nsn, self.rng))
        # National forms need the region: the row's country code says it.
        self.seen.append((region, code, trunk, nsn))
        if len(self.seen) > 50000:
            self.seen = self.seen[-25000:]
        return region, written

    def duplicate(self):
        region, code, trunk, nsn = self.rng.choice(self.seen)
        return region, self.rng.choice(formats(region, code, trunk, nsn, self.rng))


def rows(count, seed):
    rng = random.Random(seed)
    numbers = Numbers(rng)
    duplicate_rate = 0.05 + rng.random() * 0.10
    for index in range(count):
        roll = rng.random()
        if roll < 0.10:
            region, phone = rng.choice(REGIONS)[0], invalid_phone(rng)
        elif roll < 0.10 + duplicate_rate and numbers.seen:
            region, phone = numbers.duplicate()
        else:
            region, phone = numbers.fresh()
        first, last = rng.choice(FIRST), rng.choice(LAST)
        yield {
            "id": str(100000 + index),
            "first": first,
            "last": last,
            "email": f"{first.split()[0].lower()}.{last.replace(' ', '').replace(chr(39), '').lower()}{index}@example.com",
            "phone": phone,
            "mobile": phone if rng.random() < 0.5 else "",
            "company": rng.choice(COMPANIES),
            "stage": rng.choice(STAGES),
            "region": region,
            "created": f"2026-{1 + index % 12:02d}-{1 + index % 28:02d}",
            "notes": rng.choice(NOTES),
        }


def csv_cell(text, delimiter):
    if any(c in text for c in (delimiter, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


def hubspot_csv(count, seed, out):
    header = ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
              "Company Name", "Lifecycle Stage", "Country/Region Code", "Create Date", "Notes"]
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for r in rows(count, seed):
            # Half the rows carry the number only in Mobile, half only in Phone.
            phone, mobile = (r["phone"], "") if r["mobile"] == "" else ("", r["mobile"])
            cells = [r["id"], r["first"], r["last"], r["email"], phone, mobile, r["company"], r["stage"],
                     r["region"], r["created"], r["notes"]]
            f.write(",".join(csv_cell(c, ",") for c in cells) + "\n")


def excel_csv(count, seed, out):
    header = ["Kundennummer", "Vorname", "Nachname", "E-Mail", "Telefon", "Firma", "Land"]
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("\ufeffsep=;\r\n")
        f.write(";".join(header) + "\r\n")
        for r in rows(count, seed):
            cells = [r["id"], r["first"], r["last"], r["email"], r["phone"], r["company"], r["region"]]
            f.write(";".join(csv_cell(c, ";") for c in cells) + "\r\n")


def form_ndjson(count, seed, out):
    with open(out, "w", encoding="utf-8") as f:
        for r in rows(count, seed):
            record = {
                "event_id": f"evt_{r['id']}",
                "form_id": "lead-capture-2026",
                "submitted_at": r["created"] + "T10:00:00Z",
                "answers": {
                    "full_name": f"{r['first']} {r['last']}",
                    "email": r["email"].upper() if int(r["id"]) % 7 == 0 else r["email"],
                    "phone": {"number": r["phone"], "country": r["region"]},
                    "company": r["company"] or None,
                    "interests": ["pricing", "demo"] if int(r["id"]) % 3 == 0 else [],
                },
                "hidden": {"utm_source": "newsletter", "utm.campaign": "spring"},
            }
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--format", choices=["hubspot-csv", "form-ndjson", "excel-csv"], required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    {"hubspot-csv": hubspot_csv, "form-ndjson": form_ndjson, "excel-csv": excel_csv}[args.format](
        args.rows, args.seed, args.out)


if __name__ == "__main__":
    main()
