"""Create a Dispatchr task over HTTP with the Python standard library, then follow it to its end.

    DISPATCHR_URL=http://127.0.0.1:8787 DISPATCHR_TOKEN=... \\
        python3 client.py emails /welcome '{"email": "a@example.com"}'

It sends `POST /v1/queues/{queue}/tasks` with an Idempotency-Key (docs/spec.md 4.4), so a create
that failed on the network can be sent again without making a second task; then reads the task
back (`GET /v1/tasks/{id}`) until it is finished or --wait seconds pass, printing its state.
Errors are problem+json (spec 4.12): printed with their code and field, exit status 1.
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

FINISHED = {"completed", "failed", "cancelled"}


class DispatchrError(Exception):
    """An error answer of the API: `status`, the stable `code`, and the field problems."""

    def __init__(self, status, problem):
        self.status = status
        self.code = problem.get("code", "unknown")
        self.errors = problem.get("errors") or []
        super().__init__(f"{status} {self.code}: {problem.get('detail') or problem.get('title') or ''}")


class Dispatchr:
    def __init__(self, url, token=None, timeout=10):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _call(self, method, path, body=None, headers=None):
        request = urllib.request.Request(self.url + path, method=method, headers=dict(headers or {}))
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        if method == "POST":
            # Every POST carries a JSON type, even with no body (the cross-site rule, spec 4.1).
            request.add_header("Content-Type", "application/json")
            request.data = json.dumps(body if body is not None else {}).encode("utf-8")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as answer:
            with answer:
                text = answer.read().decode("utf-8", "replace")
            if answer.headers.get_content_type() == "application/problem+json":
                raise DispatchrError(answer.code, json.loads(text)) from None
            raise DispatchrError(answer.code, {"detail": text[:200]}) from None

    def create_task(self, queue, task, idempotency_key=None, attempts=3):
        """Creates a task; sends it again after a network error or a 5xx with the same Idempotency-Key,
        so at most one task is made. Returns (task, True when an unfinished task already held its `key`)."""
        key = idempotency_key or str(uuid.uuid4())
        path = f"/v1/queues/{urllib.parse.quote(queue, safe='')}/tasks"
        for attempt in range(1, attempts + 1):
            try:
                status, created = self._call("POST", path, task, {"Idempotency-Key": key})
                return created, status == 200
            except (urllib.error.URLError, DispatchrError) as error:
                retryable = not isinstance(error, DispatchrError) or error.status >= 500
                if not retryable or attempt == attempts:
                    raise
                time.sleep(0.5 * attempt)

    def get_task(self, task_id):
        return self._call("GET", f"/v1/tasks/{urllib.parse.quote(task_id, safe='')}")[1]


def describe(task):
    status = task.get("lastStatus")
    return f"task {task['id']}: {task['state']} (attempt {task['attempt']}{'' if status is None else f', last status {status}'})"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Create a Dispatchr task and follow it.")
    parser.add_argument("queue")
    parser.add_argument("path", help="appended to the queue's target, e.g. /welcome")
    parser.add_argument("body", nargs="?", default="null", help="the task's JSON body (default: none)")
    parser.add_argument("--idempotency-key", help="reuse a key to make the create safe to repeat")
    parser.add_argument("--wait", type=float, default=30, help="seconds to follow the task (0: do not)")
    args = parser.parse_args(argv)

    client = Dispatchr(os.environ.get("DISPATCHR_URL", "http://127.0.0.1:8787"), os.environ.get("DISPATCHR_TOKEN"))
    try:
        task, deduplicated = client.create_task(
            args.queue, {"path": args.path, "body": json.loads(args.body)}, args.idempotency_key
        )
        print(f"created {describe(task)}" if not deduplicated else f"already there: {describe(task)}", flush=True)
        deadline = time.monotonic() + args.wait
        while task["state"] not in FINISHED and time.monotonic() < deadline:
            time.sleep(0.2)
            previous, task = task, client.get_task(task["id"])
            if (task["state"], task["attempt"]) != (previous["state"], previous["attempt"]):
                print(describe(task), flush=True)
    except DispatchrError as error:
        print(f"error: {error}", file=sys.stderr)
        for problem in error.errors:
            print(f"  {problem.get('path')}: {problem.get('message')}", file=sys.stderr)
        sys.exit(1)
    except urllib.error.URLError as error:
        sys.exit(f"error: cannot reach Dispatchr: {error.reason}")


if __name__ == "__main__":
    main()
