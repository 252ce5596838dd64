"""Checks dispatchr_verify.py against the specification's signing vectors (spec/vectors/signing.json).

Run it from this folder with `python3 test_vectors.py` or `python3 -m unittest`; it exits non-zero when
a case fails. The vectors are language-neutral JSON (their format: spec/vectors/README.md):
`cases` are signatures to generate, `secrets` the secret-format rule, `verify` what a receiver
accepts. The same file drives Dispatchr's own unit tests, so this verifier and the scheduler
cannot drift apart.
"""

import base64
import json
import pathlib
import unittest

from dispatchr_verify import InvalidSignature, decode_secret, sign, verify

VECTORS = pathlib.Path(__file__).resolve().parent.parent.parent / "spec" / "vectors" / "signing.json"


def load_vectors():
    with VECTORS.open(encoding="utf-8") as file:
        return json.load(file)


def payload_bytes(case):
    """The exact body bytes: `payload` is UTF-8 text, `payloadBase64` any bytes."""
    if "payloadBase64" in case:
        return base64.b64decode(case["payloadBase64"], validate=True)
    return case["payload"].encode("utf-8")


def signed_headers(case, signature):
    return {"webhook-id": case["id"], "webhook-timestamp": str(case["timestamp"]), "webhook-signature": signature}


def secrets_of(case):
    return case["secrets"] if "secrets" in case else case["secret"]


class PublishedVector(unittest.TestCase):
    """Standard Webhooks' own published example, so the verifier is checked even without the file."""

    SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    HEADERS = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    BODY = b'{"test": 2432232314}'

    def test_signs_and_verifies(self):
        msg_id = self.HEADERS["webhook-id"]
        self.assertEqual(sign(self.SECRET, msg_id, 1614265330, self.BODY), self.HEADERS["webhook-signature"])
        self.assertEqual(verify(self.SECRET, self.HEADERS, self.BODY, now=1614265330), msg_id)

    def test_refuses_a_changed_body_and_a_stale_timestamp(self):
        with self.assertRaises(InvalidSignature):
            verify(self.SECRET, self.HEADERS, self.BODY + b" ", now=1614265330)
        with self.assertRaises(InvalidSignature):
            verify(self.SECRET, self.HEADERS, self.BODY, now=1614265330 + 301)
        with self.assertRaises(InvalidSignature):
            verify(self.SECRET, self.HEADERS, self.BODY, now=1614265330 - 301)


class SigningVectors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.vectors = load_vectors()

    def test_file_has_every_list(self):
        for key in ("cases", "secrets", "verify"):
            self.assertTrue(self.vectors.get(key), f"{VECTORS.name} has no {key!r} cases")

    def test_generates_each_signature(self):
        for case in self.vectors["cases"]:
            with self.subTest(case["name"]):
                expected = case["signatures"] if "signatures" in case else case["signature"]
                body = payload_bytes(case)
                self.assertEqual(sign(secrets_of(case), case["id"], case["timestamp"], body), expected)
                # A receiver holding any one of the secrets accepts the request.
                headers = signed_headers(case, expected)
                for secret in case.get("secrets", [case.get("secret")]):
                    self.assertEqual(verify(secret, headers, body, now=case["timestamp"]), case["id"])

    def test_secret_rule(self):
        for case in self.vectors["secrets"]:
            with self.subTest(case["name"]):
                if case["valid"]:
                    decode_secret(case["secret"])
                else:
                    with self.assertRaises(ValueError) as refused:
                        decode_secret(case["secret"])
                    if len(case["secret"]) > len("whsec_") + 4:
                        self.assertNotIn(case["secret"], str(refused.exception), "a message must not show the secret")

    def test_receiver_verdicts(self):
        for case in self.vectors["verify"]:
            with self.subTest(case["name"]):
                headers = signed_headers(case, case["header"])
                now = case.get("now", case["timestamp"])
                if case["valid"]:
                    self.assertEqual(verify(secrets_of(case), headers, payload_bytes(case), now=now), case["id"])
                else:
                    with self.assertRaises(InvalidSignature):
                        verify(secrets_of(case), headers, payload_bytes(case), now=now)


if __name__ == "__main__":
    unittest.main()
