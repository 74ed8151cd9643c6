#!/usr/bin/env python3
"""Independent verifier of a CCCD Kiosk audit log (docs/audit-log-format.md). Usage: verify_log.py DB"""
import hashlib, json, sqlite3, sys

db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
db.text_factory = bytes  # the exact stored bytes: the hash covers them, not a re-encoding
expected_id, prev = 1, "0" * 64
for row_id, entry, stored, kind in db.execute("SELECT id, entry, hash, typeof(entry) FROM audit_log ORDER BY id"):
    try:
        fields = json.loads(entry.decode("utf-8"))
        framed = kind == b"text" and isinstance(fields, list) and len(fields) == 16 and fields[0] == "cccd-kiosk-log-v1"
    except (AttributeError, UnicodeDecodeError, ValueError):
        fields, framed = [None] * 16, False
    problem = ("missing or reordered entry" if row_id != expected_id else
               "does not link to the entry before" if framed and fields[15] != prev else
               "modified after it was written" if not framed or fields[1] != row_id
               or hashlib.sha256(entry).hexdigest() != stored.decode() else None)
    if problem:
        sys.exit(print(f"BROKEN at entry {row_id}: {problem}") or 1)
    expected_id, prev = row_id + 1, stored.decode()
print(f"OK: {expected_id - 1} entries, head {prev}")
