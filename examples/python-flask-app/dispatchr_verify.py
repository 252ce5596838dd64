"""Verify Dispatchr's signed requests with the Python standard library alone.

Dispatchr signs every request the Standard Webhooks way (docs/spec.md, section 5.3):

- the secret is ``whsec_`` followed by the canonical base64 of 24 to 64 bytes; the key is those bytes;
- ``webhook-signature`` holds one or more space-separated ``v1,<base64>`` entries, each the
  HMAC-SHA256 of ``{webhook-id}.{webhook-timestamp}.{body}`` (the exact body bytes), one per
  secret while secrets rotate, and the request is genuine when any of them verifies;
- a ``webhook-timestamp`` more than five minutes from the receiver's clock is refused, which bounds
  how long a captured request could be replayed.

Copy this file into your app; it needs nothing but the standard library.
"""

import base64
import hashlib
import hmac
import re
import time

SECRET_PREFIX = "whsec_"
MIN_SECRET_BYTES = 24
MAX_SECRET_BYTES = 64
DEFAULT_TOLERANCE_SECONDS = 300

# Canonical padded base64: lenient decoders skip characters that strict ones refuse, so only
# canonical text gives every library the same key (the same rule as the scheduler's).
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_RULE = f"{SECRET_PREFIX} followed by the base64 of {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} bytes"


class InvalidSignature(Exception):
    """The request is not a genuine, fresh Dispatchr request: answer it 401."""


def decode_secret(secret):
    """Returns the HMAC key of a ``whsec_`` secret, or raises ValueError naming the rule (never the secret)."""
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"signing secret: expected {_RULE}, got a secret without the prefix (not shown)")
    encoded = secret[len(SECRET_PREFIX) :]
    if not _BASE64.fullmatch(encoded):
        raise ValueError(f"signing secret: expected {_RULE}, got text that is not padded standard base64")
    key = base64.b64decode(encoded, validate=True)
    # The pattern admits non-zero padding bits ("QR=="); re-encoding tells canonical text apart.
    if base64.b64encode(key).decode("ascii") != encoded:
        raise ValueError(f"signing secret: expected {_RULE}, got base64 with non-zero padding bits")
    if not MIN_SECRET_BYTES <= len(key) <= MAX_SECRET_BYTES:
        raise ValueError(f"signing secret: expected {_RULE}, got {len(key)} bytes")
    return key


def _keys(secrets):
    """One secret, or several while they rotate (new and old); each must be valid."""
    listed = [secrets] if isinstance(secrets, str) else [s for s in secrets if s]
    if not listed:
        raise ValueError("signing secret: expected at least one, got none")
    return [decode_secret(secret) for secret in listed]


def _signature(key, msg_id, timestamp, body):
    if isinstance(body, str):
        body = body.encode("utf-8")
    signed = f"{msg_id}.{timestamp}.".encode("utf-8") + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())


def sign(secrets, msg_id, timestamp, body):
    """The ``webhook-signature`` value Dispatchr sends: one ``v1,<base64>`` per secret, in order."""
    return " ".join(
        "v1," + _signature(key, msg_id, timestamp, body).decode("ascii") for key in _keys(secrets)
    )


def _header(headers, name):
    """A header by name in any case, from a dict or a case-insensitive mapping (Flask's request.headers)."""
    value = headers.get(name)
    if value is None and isinstance(headers, dict):
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    if value is None or value == "":
        raise InvalidSignature(f"the {name} header is missing")
    return value


def verify(secrets, headers, body, now=None, tolerance=DEFAULT_TOLERANCE_SECONDS):
    """Checks a request and returns its ``webhook-id`` (the task id, the same on every attempt).

    secrets: one ``whsec_`` secret, or a list of them (rotation: any may verify).
    headers: the request's headers; body: its raw bytes, exactly as received.
    now: Unix seconds to check the timestamp against (default: the clock).
    Raises InvalidSignature for a bad request, ValueError for a bad secret (a setup mistake).
    """
    keys = _keys(secrets)
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signature_header = _header(headers, "webhook-signature")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise InvalidSignature("webhook-timestamp must be whole seconds since the epoch")
    age = int(time.time() if now is None else now) - int(timestamp)
    if abs(age) > tolerance:
        raise InvalidSignature(f"webhook-timestamp is more than {tolerance} s from now")
    # Other versions (v1a, ...) are skipped: a receiver checks only the schemes it knows.
    entries = signature_header.split(" ")
    received = [entry[3:].encode("ascii", "replace") for entry in entries if entry.startswith("v1,")]
    if not received:
        raise InvalidSignature("webhook-signature holds no v1 signature")
    for key in keys:
        expected = _signature(key, msg_id, timestamp, body)
        # Every candidate is compared, in constant time, so timing tells nothing about which was close.
        if any([hmac.compare_digest(expected, candidate) for candidate in received]):
            return msg_id
    raise InvalidSignature("webhook-signature does not match the body with any secret")
