#!/usr/bin/env python3
"""Independent verifier of a CCCD Kiosk audit log (docs/audit-log-format.md). Usage: verify_log.py DB"""
import hashlib, json, sqlite3, sys

COLUMNS = ("id, at, kind, station, actor, session_code, source, identity_verdict, authenticity_verdict, "
           "outcome, reasons, candidate_id, card_hash, details, prev_hash, hash")
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
expected_id, prev = 1, "0" * 64
for row in db.execute(f"SELECT {COLUMNS} FROM audit_log ORDER BY id"):
    text = json.dumps(["cccd-kiosk-log-v1", *row[:15]], ensure_ascii=False, separators=(",", ":"))
    problem = ("missing or reordered entry" if row[0] != expected_id else
               "does not link to the entry before" if row[14] != prev else
               "modified after it was written"
               if hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest() != row[15] else None)
    if problem:
        sys.exit(print(f"BROKEN at entry {row[0]}: {problem}") or 1)
    expected_id, prev = row[0] + 1, row[15]
print(f"OK: {expected_id - 1} entries, head {prev}")
