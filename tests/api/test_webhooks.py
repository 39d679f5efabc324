"""Webhooks: endpoints over the API, Standard Webhooks signatures (checked with the
reference library), delivery from the outbox by the worker's pass to a real HTTP
receiver on loopback, order per case, retries, redelivery after a worker dies, automatic
disabling, replay, and the address guard."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from plaint.accounts.roles import Role
from plaint.accounts.services import staff_create
from plaint.api import webhooks
from plaint.api.models import WebhookAttempt, WebhookEndpoint, WebhookMessage
from plaint.outbox.models import Delivery
from plaint.outbox.services import (
    LEASE,
    _mark_sending,
    deliveries_claim,
    deliveries_run,
)
from plaint.outbox.transports import transport_get
from tests.api.conftest import CASE_BODY, ApiClient
from tests.conftest import NOW, open_case


class Receiver:
    """A webhook receiver on loopback. `script` is what it does with each request in
    turn ("500", "slow", "200"); when it runs out it answers 200."""

    def __init__(self) -> None:
        self.script: list[str] = []
        self.got: list[tuple[dict[str, str], bytes, int]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                step = receiver.script.pop(0) if receiver.script else "200"
                if step == "slow":
                    time.sleep(1.0)
                code = 500 if step == "500" else 200
                receiver.got.append(({k.lower(): v for k, v in self.headers.items()}, body, code))
                try:
                    self.send_response(code)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/plaint?src=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def ids(self, code: int = 200) -> list[str]:
        return [h["webhook-id"] for h, _, c in self.got if c == code]

    def types(self) -> list[str]:
        return [json.loads(b)["type"] for _, b, c in self.got if c == 200]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.PLAINT_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on loopback
    settings.PLAINT_WEBHOOK_TIMEOUT = 0.5
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def admin_api(make_token: Any) -> ApiClient:
    return ApiClient(make_token(scopes=("read", "write", "admin")))


def _endpoint(
    admin_api: ApiClient, url: str, kinds: tuple[str, ...] = ("case.opened", "note.added")
) -> dict[str, Any]:
    answer = admin_api.post("/api/v1/webhooks", {"url": url, "kinds": list(kinds)})
    assert answer.status_code == 201, answer.content
    return dict(answer.json())


def _open(admin_api: ApiClient, **extra: Any) -> str:
    answer = admin_api.post("/api/v1/cases", {**CASE_BODY, **extra})
    assert answer.status_code == 201, answer.content
    return str(answer.json()["reference"])


def _note(admin_api: ApiClient, ref: str, text: str) -> None:
    assert admin_api.post(f"/api/v1/cases/{ref}/notes", {"text": text}).status_code == 201


def _pass(at: datetime) -> None:
    deliveries_run(now=at, worker="test-worker")


def test_a_new_case_reaches_the_receiver_signed_per_standard_webhooks(admin_api, receiver):
    made = _endpoint(admin_api, receiver.url)
    assert made["secret"].startswith("whsec_")
    assert "secret" not in admin_api.get(f"/api/v1/webhooks/{made['id']}").json()
    ref = _open(admin_api, description="Hostile <script>alert(1)</script> {{ 7*7 }}")
    assert receiver.got == []  # never sent from inside the request
    _pass(NOW)
    assert len(receiver.got) == 1
    headers, body, _ = receiver.got[0]
    verified = Webhook(made["secret"]).verify(body, headers)  # the reference library
    assert verified["type"] == "case.opened"
    assert verified["data"]["case"] == ref
    assert verified["data"]["kind"] == "case_opened"
    assert headers["webhook-id"].startswith("msg_")
    with pytest.raises(Exception, match=r"(?i)signature"):
        Webhook(made["secret"]).verify(body.replace(b"case.opened", b"case.closed"), headers)
    log = admin_api.get(f"/api/v1/webhooks/{made['id']}/attempts").json()["items"]
    assert [(a["ok"], a["response_code"], a["type"]) for a in log] == [(True, 200, "case.opened")]


def test_a_receiver_that_fails_then_recovers_gets_every_message_once_in_order(admin_api, receiver):
    made = _endpoint(admin_api, receiver.url)
    ref = _open(admin_api)
    _note(admin_api, ref, "first note")
    _note(admin_api, ref, "second note")
    receiver.script = ["500", "slow"]
    _pass(NOW)  # case.opened: 500; the notes wait behind it
    assert receiver.ids(500) and receiver.ids() == []
    _pass(NOW + timedelta(seconds=30))  # not due yet (backoff 1 minute)
    assert len(receiver.got) == 1
    _pass(NOW + timedelta(minutes=1))  # times out
    _pass(NOW + timedelta(minutes=4))  # recovers: all three go, in order
    assert receiver.types() == ["case.opened", "note.added", "note.added"]
    delivered = receiver.ids()
    assert len(set(delivered)) == 3
    assert delivered[0] == receiver.ids(500)[0]  # the retry carried the same webhook-id
    texts = [json.loads(b)["data"]["event"].get("text") for _, b, c in receiver.got if c == 200]
    assert texts[1:] == ["first note", "second note"]
    _pass(NOW + timedelta(hours=1))
    assert len(receiver.ids()) == 3  # nothing sent twice
    log = admin_api.get(f"/api/v1/webhooks/{made['id']}/attempts").json()["items"]
    outcomes = [(a["ok"], a["response_code"]) for a in reversed(log)]
    assert outcomes[:2] == [(False, 500), (False, None)]
    assert "timed out" in log[-2]["error"].lower()
    assert all(ok for ok, _ in outcomes[2:]) and len(outcomes) == 5


def test_a_worker_killed_mid_delivery_loses_nothing_and_redelivers_the_same_id(admin_api, receiver):
    _endpoint(admin_api, receiver.url)
    _open(admin_api)
    webhooks.webhooks_follow(NOW)
    ids = deliveries_claim(now=NOW, worker="doomed")
    (delivery,) = Delivery.objects.filter(pk__in=ids, transport="webhook")
    assert _mark_sending(delivery, "doomed", NOW)
    with transport_get("webhook").session() as session:  # the POST leaves...
        session.send(sender="", recipients=[], payload=bytes(delivery.payload))
    # ...and the worker dies before recording the answer.
    _pass(NOW + LEASE + timedelta(seconds=1))
    assert len(receiver.ids()) == 2
    assert receiver.ids()[0] == receiver.ids()[1]
    assert receiver.got[0][1] == receiver.got[1][1]
    assert WebhookMessage.objects.get().state == WebhookMessage.State.DELIVERED


def test_sustained_failure_retries_24_hours_then_disables_and_tells_the_admin(
    admin, admin_api, receiver
):
    admin.email = "ada@example.org"
    admin.save(update_fields=["email"])
    made = _endpoint(admin_api, receiver.url)
    _open(admin_api)
    receiver.script = ["500"] * 1000
    at = NOW
    for _ in range(100):
        _pass(at)
        due = Delivery.objects.filter(
            transport="webhook", status__in=["queued", "deferred"]
        ).order_by("next_attempt_at")
        if not due.exists():
            break
        at = max(at, due[0].next_attempt_at)
    endpoint = WebhookEndpoint.objects.get(pk=made["id"])
    assert endpoint.disabled_at is not None
    assert at - NOW >= timedelta(hours=24)
    assert "failed for 24 hours" in endpoint.disabled_reason
    assert WebhookMessage.objects.get().state == WebhookMessage.State.FAILED
    tries = len(receiver.got)
    assert tries > 8 and receiver.ids() == []
    mail = Delivery.objects.get(purpose="webhook-disabled")
    assert mail.recipients == ["ada@example.org"]
    text = message_from_bytes(bytes(mail.payload), policy=default).get_content()
    assert receiver.url in text and "failed for 24 hours" in text
    assert admin_api.get(f"/api/v1/webhooks/{made['id']}").json()["disabled_at"]

    # Enabled again, with a working receiver: a replay goes out with the same id.
    receiver.script = []
    assert admin_api.post(f"/api/v1/webhooks/{made['id']}/enable").status_code == 200
    msg = admin_api.get(f"/api/v1/webhooks/{made['id']}/messages").json()["items"][0]
    replay = admin_api.post(f"/api/v1/webhooks/{made['id']}/messages/{msg['id']}/replay")
    assert replay.status_code == 202, replay.content
    again = admin_api.post(f"/api/v1/webhooks/{made['id']}/messages/{msg['id']}/replay")
    assert again.status_code == 409
    _pass(max(at, Delivery.objects.filter(transport="webhook").latest("id").next_attempt_at))
    assert receiver.ids() == [msg["id"]]


def test_an_endpoint_gets_only_the_kinds_it_subscribed_to(admin_api, receiver, case):
    _endpoint(admin_api, receiver.url, kinds=("note.added",))
    ref = _open(admin_api)
    _note(admin_api, ref, "noted")
    _pass(NOW)
    assert receiver.types() == ["note.added"]
    bad = admin_api.post("/api/v1/webhooks", {"url": receiver.url, "kinds": ["case.exploded"]})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "kinds"
    assert "case.opened" in admin_api.get("/api/v1/webhooks/kinds").json()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:9/hook", "127.0.0.1, a private, loopback or reserved"),
        ("http://localhost/hook", "loopback"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("http://10.1.2.3/hook", "10.1.2.3"),
        ("http://[::1]/hook", "::1"),
        ("http://[::ffff:192.168.0.1]/hook", "private"),
        ("ftp://example.org/hook", "https://"),
        ("http://user:pw@example.org/hook", "user name or password"),
        ("", "is required"),
    ],
)
def test_webhooks_go_only_to_public_addresses(admin_api, url, says):
    answer = admin_api.post("/api/v1/webhooks", {"url": url})
    assert answer.status_code == 422, answer.content
    assert answer.json()["errors"][0]["field"] == "url"
    assert says in answer.json()["errors"][0]["message"]
    assert not WebhookEndpoint.objects.exists()


def test_the_guard_is_checked_again_at_delivery(admin_api, receiver, settings):
    made = _endpoint(admin_api, receiver.url)
    _open(admin_api)
    settings.PLAINT_WEBHOOK_ALLOW_PRIVATE = False
    _pass(NOW)
    assert receiver.got == []
    attempt = WebhookAttempt.objects.get()
    assert not attempt.ok and "address refused" in attempt.error
    assert WebhookMessage.objects.get().state == WebhookMessage.State.FAILED
    assert admin_api.get(f"/api/v1/webhooks/{made['id']}").json()["disabled_at"] is None


def test_webhooks_need_the_admin_scope_and_stay_in_their_organisation(
    admin_api, make_token, receiver, outsider
):
    made = _endpoint(admin_api, receiver.url)
    worker = ApiClient(make_token(scopes=("read", "write")))
    assert worker.get("/api/v1/webhooks").status_code == 403
    assert worker.post("/api/v1/webhooks", {"url": receiver.url}).status_code == 403
    theirs_admin = staff_create(
        organisation=outsider.organisation,
        username="other-admin",
        password="pw-other-123",
        roles=[Role.ADMIN],
    )
    theirs = ApiClient(make_token(scopes=("admin",), owner=theirs_admin, actor=theirs_admin))
    assert theirs.get("/api/v1/webhooks").json()["items"] == []
    for path in ("", "/attempts", "/messages"):
        assert theirs.get(f"/api/v1/webhooks/{made['id']}{path}").status_code == 404
    assert theirs.post(f"/api/v1/webhooks/{made['id']}/disable").status_code == 404
    assert theirs.call("DELETE", f"/api/v1/webhooks/{made['id']}").status_code == 404
    # Their cases' events never reach our endpoint.
    open_case(outsider.organisation, outsider)
    _pass(NOW)
    assert receiver.got == []
    assert admin_api.call("DELETE", f"/api/v1/webhooks/{made['id']}").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_for_every_kind_gets_the_case_s_whole_ledger_in_order(admin_api, receiver):
    _endpoint(admin_api, receiver.url, kinds=())
    ref = _open(admin_api)
    _pass(NOW)
    bodies = [json.loads(b) for _, b, c in receiver.got if c == 200]
    assert {b["data"]["case"] for b in bodies} == {ref}
    assert [b["data"]["seq"] for b in bodies] == sorted(b["data"]["seq"] for b in bodies)
    assert bodies[0]["type"] == "case.opened"
    assert "deadline.set" in {b["type"] for b in bodies}


def _doc_examples() -> list[str]:
    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    part = text[text.index("### Checking a signature") :]
    return re.findall(r"```python\n(.*?)```", part, flags=re.S)[:2]


def test_the_signature_examples_in_the_docs_accept_plaint_s_messages_and_refuse_forgeries(
    admin_api, receiver
):
    made = _endpoint(admin_api, receiver.url, kinds=("case.opened",))
    _open(admin_api)
    _pass(NOW)
    ((headers, body, _),) = receiver.got
    library, by_hand = _doc_examples()
    seen_ids: set[str] = set()

    def seen(msg_id: str) -> bool:
        was = msg_id in seen_ids
        seen_ids.add(msg_id)
        return was

    space: dict[str, Any] = {"SECRET": made["secret"], "seen": seen}
    exec(library, space)  # noqa: S102 (the docs' own example)
    assert space["receive"](body, headers)["type"] == "case.opened"
    assert space["receive"](body, headers) is None  # a duplicate is dropped
    assert space["receive"](body + b" ", headers) is None
    exec(by_hand, space)  # noqa: S102
    assert space["verified"](made["secret"], headers, body)
    assert not space["verified"](made["secret"], headers, body.replace(b"opened", b"closed"))
    assert not space["verified"](webhooks.secret_make(), headers, body)
