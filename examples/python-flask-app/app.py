"""A Flask app that receives Dispatchr's tasks: POST /tasks/<name>, signed (docs/spec.md 5.3).

Set the queue's `target` to http://<this app>/tasks and its `signingSecret` to the same secret as
DISPATCHR_SIGNING_SECRET here (several, space-separated, while rotating: new first).

    DISPATCHR_SIGNING_SECRET=whsec_... PORT=5000 python3 app.py

Answers: 401 to a request Dispatchr did not sign (or too old to trust); 200 once the work is done,
or at once for a task already done (a duplicate delivery, spec 8.3); 503 with Retry-After when
the work failed and should be tried again (the body's `fail` asks for that on the first N attempts,
to show a retry).
"""

import logging
import os
import sys
import threading

from flask import Flask, request

from dispatchr_verify import InvalidSignature, decode_secret, verify

log = logging.getLogger("tasks")


class ProcessedIds:
    """The webhook-ids whose work is done or under way, to skip duplicate deliveries.

    In memory, so it is per process and forgotten on restart: fine for an example. A real app
    records the id in the same transaction as the work, under a unique constraint
    (`insert into processed (webhook_id) values (%s) on conflict do nothing returning webhook_id`),
    and keeps ids at least as long as a task can be retried (spec 8.3).
    """

    def __init__(self):
        self._ids = set()
        self._lock = threading.Lock()

    def claim(self, webhook_id):
        """True for the first delivery of an id: check and insert in one step, as the unique insert does."""
        with self._lock:
            if webhook_id in self._ids:
                return False
            self._ids.add(webhook_id)
            return True

    def release(self, webhook_id):
        """The work failed: forget the id, so Dispatchr's retry does the work."""
        with self._lock:
            self._ids.discard(webhook_id)


class TryAgain(Exception):
    """The work could not be done now; Dispatchr should send the task again."""


def handle(name, payload, attempt):
    """The work: send the email, call the API, ... Here it only fails when the task asks it to."""
    fail = payload.get("fail", 0) if isinstance(payload, dict) else 0
    if isinstance(fail, int) and attempt <= fail:
        raise TryAgain(f"asked to fail attempts 1 to {fail}")


def create_app(secrets):
    for secret in secrets:
        decode_secret(secret)  # a bad secret stops start-up here, not on the first request
    app = Flask(__name__)
    processed = ProcessedIds()

    @app.post("/tasks/<name>")
    def receive(name):
        body = request.get_data()  # the raw bytes: the signature covers them exactly
        try:
            task_id = verify(secrets, request.headers, body)
        except InvalidSignature as refused:
            log.warning("refused POST /tasks/%s: %s", name, refused)
            return {"code": "invalid_signature", "detail": str(refused)}, 401, {"Connection": "close"}

        # Dispatchr-Attempt is not signed (only id, timestamp and body are): use it for logs and
        # decisions like this example's, never for anything a replay could abuse.
        attempt_header = request.headers.get("Dispatchr-Attempt", "")
        attempt = int(attempt_header) if attempt_header.isdigit() else 1
        if not processed.claim(task_id):
            log.info("duplicate task=%s name=%s attempt=%d: already done, answering 200", task_id, name, attempt)
            return {"duplicate": True}

        log.info(
            "verified task=%s queue=%s name=%s attempt=%d body=%s",
            task_id,
            request.headers.get("Dispatchr-Queue"),
            name,
            attempt,
            body.decode("utf-8", "replace"),
        )
        try:
            handle(name, request.get_json(silent=True), attempt)
        except TryAgain as reason:
            processed.release(task_id)
            log.info("task=%s attempt=%d not done (%s): Dispatchr retries it", task_id, attempt, reason)
            return {"detail": str(reason)}, 503, {"Retry-After": "1"}
        except Exception:
            processed.release(task_id)
            raise  # Flask answers 500, and Dispatchr retries with backoff
        log.info("done task=%s name=%s", task_id, name)
        return {"done": task_id}

    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(name)s %(message)s")
    configured = os.environ.get("DISPATCHR_SIGNING_SECRET", "").split()
    if not configured:
        sys.exit("set DISPATCHR_SIGNING_SECRET to the queue's signingSecret (whsec_...)")
    try:
        flask_app = create_app(configured)
    except ValueError as error:
        sys.exit(str(error))
    # Flask's development server, fine on 127.0.0.1; serve a real deployment with gunicorn or waitress.
    flask_app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "5000")))
