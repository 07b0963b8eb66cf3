#!/usr/bin/env python3
"""The importer a user would write instead of flexmap: csv + phonenumbers + sqlite3.

Does what Fixtures/mappings/hubspot.json does for a HubSpot-style CSV (or the
form-leads mapping for the form NDJSON): mapping, trim/lowercase, the product's field
limits, phone validation with phonenumbers (8.12.57, the same metadata as Debian's
libphonenumber), E.164, and dedupe per organisation on the E.164 phone (first row wins;
with the form mapping's onDuplicate "update", a duplicate's non-empty fields, tags and
variables are merged into the stored contact).
Prints one JSON line with the counts.

  python_import.py --input FILE --format hubspot-csv|form-ndjson --db OUT.db
"""
import argparse
import csv
import json
import sqlite3
import sys
import time

import phonenumbers

LIMITS = {"first_name": 100, "last_name": 100, "email": 255, "company": 255, "crm_id": 255, "crm_source": 255}


def validate(raw, region):
    """E.164 or None, as flexmap decides: Parse then IsValidNumber."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def hubspot_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            stage = row.get("Lifecycle Stage", "")
            notes = row.get("Notes", "")
            variables = {"campaign": "spring-import"}
            if stage.strip():
                variables["stage"] = stage
            if notes.strip():
                variables["notes"] = notes
            crm_id = row.get("Record ID", "").strip() or None
            yield {
                "first_name": row.get("First Name", "").strip() or None,
                "last_name": row.get("Last Name", "").strip() or None,
                "phone_raw": (row.get("Mobile Phone Number") or "").strip() or (row.get("Phone Number") or ""),
                "email": row.get("Email", "").strip().lower() or None,
                "company": row.get("Company Name", "").strip() or None,
                "country_code": (row.get("Country/Region Code") or "").strip().upper() or None,
                "crm_id": crm_id,
                "crm_source": "hubspot" if crm_id else None,
                "tags": ["imported", "hubspot"],
                "variables": variables,
            }


def form_rows(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            record = json.loads(line)
            answers = record.get("answers", {})
            name = (answers.get("full_name") or "").split()
            phone = answers.get("phone") or {}
            yield {
                "first_name": name[0].title() if name else None,
                "last_name": " ".join(name[1:]) or None,
                "phone_raw": phone.get("number") or "",
                "email": (answers.get("email") or "").strip().lower() or None,
                "company": answers.get("company") or None,
                "country_code": (phone.get("country") or "").upper() or None,
                "crm_id": None,
                "crm_source": None,
                "tags": list(dict.fromkeys((answers.get("interests") or []) + ["web-form"])),
                "variables": {"campaign": record.get("hidden", {}).get("utm.campaign", ""),
                              "utm_source": record.get("hidden", {}).get("utm_source", ""),
                              "event_id": record.get("event_id", "")},
            }


FIELDS = ["first_name", "last_name", "email", "company", "crm_id", "crm_source", "country_code"]


def merge(db, e164, row):
    """onDuplicate: update: the row's non-empty fields win, tags and variables are added."""
    stored = db.execute(
        "SELECT id, " + ", ".join(FIELDS) + ", contact_tags, contact_variables FROM contacts"
        " WHERE org_id = 'default' AND phone = ?", (e164,)).fetchone()
    values = {field: stored[1 + i] for i, field in enumerate(FIELDS)}
    for field in FIELDS:
        if row[field]:
            values[field] = row[field]
    tags = json.loads(stored[-2])
    tags += [tag for tag in row["tags"] if tag not in tags]
    variables = json.loads(stored[-1])
    variables.update({k: v for k, v in row["variables"].items() if v})
    db.execute(
        "UPDATE contacts SET " + ", ".join(f"{f} = ?" for f in FIELDS) + ", contact_tags = ?, contact_variables = ?"
        " WHERE id = ?",
        [values[f] for f in FIELDS] + [json.dumps(tags), json.dumps(variables, sort_keys=True), stored[0]])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    parser.add_argument("--format", choices=["hubspot-csv", "form-ndjson"], required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--region", default="US")
    args = parser.parse_args()

    started = time.time()
    db = sqlite3.connect(args.db)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("""CREATE TABLE IF NOT EXISTS contacts (
        id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, phone TEXT NOT NULL, first_name TEXT, last_name TEXT,
        email TEXT, company TEXT, crm_id TEXT, crm_source TEXT, country_code TEXT, contact_tags TEXT,
        contact_variables TEXT, mapping_id TEXT, UNIQUE (org_id, phone))""")
    counts = {"total": 0, "created": 0, "skipped": 0, "invalidPhone": 0, "rejected": 0}
    rows = hubspot_rows(args.input) if args.format == "hubspot-csv" else form_rows(args.input)
    update = args.format == "form-ndjson"  # form-leads.json says onDuplicate: update
    batch = 0
    db.execute("BEGIN")
    for row in rows:
        counts["total"] += 1
        region = row["country_code"] or args.region
        e164 = validate(row["phone_raw"], region)
        if e164 is None:
            counts["invalidPhone"] += 1
            continue
        if any(row[field] is not None and len(row[field]) > limit for field, limit in LIMITS.items()):
            counts["rejected"] += 1
            continue
        cursor = db.execute(
            "INSERT OR IGNORE INTO contacts (org_id, phone, first_name, last_name, email, company, crm_id, crm_source,"
            " country_code, contact_tags, contact_variables, mapping_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            ("default", e164, row["first_name"], row["last_name"], row["email"], row["company"], row["crm_id"],
             row["crm_source"], row["country_code"], json.dumps(row["tags"]), json.dumps(row["variables"]), "python"))
        if cursor.rowcount == 1:
            counts["created"] += 1
        else:
            counts["skipped"] += 1
            if update:
                merge(db, e164, row)
        batch += 1
        if batch == 2000:
            db.execute("COMMIT")
            db.execute("BEGIN")
            batch = 0
    db.execute("COMMIT")
    counts["durationSeconds"] = time.time() - started
    print(json.dumps(counts))


if __name__ == "__main__":
    sys.exit(main())
