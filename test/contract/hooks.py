# Schemathesis hooks for test/contract/schemathesis.test.ts (loaded through
# SCHEMATHESIS_HOOKS). Only what schemathesis cannot do from the document alone.
import hashlib
import hmac
import json
import os
import time

import schemathesis
from hypothesis import strategies as st
from schemathesis.core import NotSet

WEBHOOK_SECRET = os.environ["RAPPORT_WEBHOOK_SECRET"]

# The document's `format: time-zone` is an IANA zone name; which names exist is a list, not a pattern.
schemathesis.openapi.format(
    "time-zone",
    st.sampled_from(["UTC", "Europe/Paris", "Europe/London", "America/New_York", "America/Sao_Paulo", "Asia/Tokyo", "Australia/Sydney"]),
)


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    """Contact imports as NDJSON: a document's example is the file itself (a string); else one JSON value a line."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    rows = value if isinstance(value, list) else [value]
    return "".join(json.dumps(row) + "\n" for row in rows).encode("utf-8")


@schemathesis.hook
def before_call(ctx, case, kwargs):
    """Signs webhook requests: the signature is an HMAC of the exact body bytes, which the document cannot describe.

    Only requests that carry a Rapport-Signature header at all are signed, so a request sent without one
    (as a check that auth is enforced does) still goes unsigned."""
    if case.operation.path != "/webhooks/{source}" or case.headers is None:
        return
    name = next((k for k in case.headers if k.lower() == "rapport-signature"), None)
    if name is None:
        return
    if isinstance(case.body, NotSet):
        raw = b""
    elif isinstance(case.body, bytes):
        raw = case.body
    else:
        raw = json.dumps(case.body).encode("utf-8")
    kwargs["data"] = raw
    t = str(int(time.time()))
    mac = hmac.new(WEBHOOK_SECRET.encode(), t.encode() + b"." + raw, hashlib.sha256).hexdigest()
    case.headers[name] = f"t={t},v1={mac}"
