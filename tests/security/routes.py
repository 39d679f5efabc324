"""Every route of the project, found by walking the URLconf, and for each one how to reach
it: who asks (staff, the customer's link, anyone), the URL arguments, and a request body
that would write if the request were let through. The CSRF and IDOR sweeps are driven by
this table, and a test fails when a route appears that the table does not know, so a new
view cannot slip past them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from plaint.desk.views import ACTIONS
from tests.conftest import NOW
from tests.portal.helpers import PDF, complaint
from tests.security.conftest import World


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str  # the full pattern, for messages
    callback: Callable[..., Any]
    arguments: tuple[str, ...]  # the URL's named arguments


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace or ""
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner or namespace)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"route {prefix}{entry.pattern} has no name"
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            arguments = tuple(getattr(entry.pattern, "converters", {}))
            yield Route(name, prefix + str(entry.pattern), entry.callback, arguments)


#: The HTTP API (`/api/v1/`, namespace "api") is not swept here: it takes no cookies, only
#: `Authorization: Bearer` tokens, so CSRF does not apply to it (django-ninja marks its views
#: exempt), and its organisation and scope checks on every endpoint, guessed ids included,
#: are tests/api/test_security.py's. The desk's token pages (namespace "api_desk") are
#: ordinary desk forms and are swept like every other.
TOKEN_ONLY_NAMESPACES = ("api",)


def discovered_routes() -> list[Route]:
    return [
        route
        for route in _walk(get_resolver().url_patterns)
        if route.name.split(":")[0] not in TOKEN_ONLY_NAMESPACES
    ]


# ---------------------------------------------------------------- how to reach each route

STAFF, CUSTOMER, ANYONE = "staff", "customer", "anyone"
NEW_PASSWORD = "a-Long-new-passphrase-42"


def _evidence_file() -> dict[str, Any]:
    return {"file": SimpleUploadedFile("bill.pdf", PDF, "application/pdf"), "description": "x"}


#: A body for each case-page action that would be accepted for the `world` case as the
#: admin sees it (so a 403 can only come from the missing token).
ACTION_BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "contact": lambda w: {
        "contact_at": "2026-03-01T12:00",
        "channel": "phone",
        "direction": "inbound",
        "representative": "Raj",
    },
    "note": lambda w: {"text": "a note", "visibility": "internal"},
    "evidence": lambda w: _evidence_file(),
    "assign": lambda w: {"assignee": str(w.admin.pk)},
    "transition": lambda w: {"to": "acknowledged", "reason": "ok"},
    "offer": lambda w: {"redress": "apology", "description": "sorry"},
    "answer": lambda w: {"offer": "1", "answer": "accept"},
    "close": lambda w: {"outcome": "upheld", "root_cause_code": "systems", "root_cause": "x"},
    "milestone": lambda w: {"milestone": "goods_delivered", "at": "2026-03-01T10:00"},
    "triage": lambda w: {"category": "Billing, fees and charges"},
    "legal_clear": lambda w: {"note": "no legal risk"},
}


@dataclass(frozen=True)
class Recipe:
    who: str
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    body: Callable[[World], dict[str, Any]] = lambda w: {}
    #: For routes with an argument taken from a fixed set (the case-page action), one
    #: request per value.
    expand: tuple[str, tuple[str, ...]] | None = None
    #: What in the URL points at an object (for the IDOR sweep).
    objects: tuple[str, ...] = field(default=())


def _saved_view(w: World) -> int:
    """A saved view of the admin's (made once)."""
    from plaint.desk.services import saved_view_save

    if "saved_view" not in w.made:
        w.made["saved_view"] = saved_view_save(
            owner=w.admin, name="Admin's", parameters=[("q", "x")], shared=False, now=NOW
        ).pk
    return int(w.made["saved_view"])  # type: ignore[call-overload]


def _bulk_job(w: World) -> dict[str, Any]:
    """A finished bulk job of the admin's (made once)."""
    from plaint.bulk.models import BulkJob

    if "bulk_job" not in w.made:
        w.made["bulk_job"] = BulkJob.objects.create(
            organisation=w.org, user=w.admin, action="priority", parameters={"priority": "high"},
            case_ids=[w.case.pk], total=1, cursor=1, done=1, state="done", started_at=NOW,
            progressed_at=NOW, finished_at=NOW,
        ).pk  # fmt: skip
    return {"pk": w.made["bulk_job"]}


def _ref(w: World) -> dict[str, Any]:
    return {"reference": w.case.reference}


def _sar_pk(w: World) -> dict[str, Any]:
    """A subject access request on case A (made once)."""
    from datetime import date

    from plaint.cases.ledger import Actor
    from plaint.records.subject_access import subject_access_request_log

    if "sar" not in w.made:
        w.made["sar"] = subject_access_request_log(
            case=w.case, requested_on=date(2026, 3, 1), received_by="e-mail",
            actor=Actor.staff(w.admin), now=NOW,
        ).pk  # fmt: skip
    return {"pk": w.made["sar"]}


def _mail_of(w: World) -> Any:
    """Case A's e-mail to its customer, its delivery flagged unknown (made once)."""
    from plaint.cases.ledger import Actor
    from plaint.messaging.models import Message
    from plaint.messaging.services import message_send
    from plaint.outbox.models import Delivery

    found = Message.objects.filter(case=w.case).first()
    if found is None:
        found = message_send(
            case=w.case, subject="About your bill", text="Words", actor=Actor.system(), now=NOW
        )
        Delivery.objects.filter(pk=found.delivery_id).update(status="unknown")
    return found


def _token_prefix(w: World) -> dict[str, Any]:
    """An API token of organisation A, made once, by its visible prefix."""

    from plaint.api import tokens

    found = tokens.ApiToken.objects.filter(organisation=w.org).first()
    if found is None:
        found = tokens.token_create(
            organisation=w.org, owner=w.admin, name="Sweep", scopes=["read"], actor=w.admin,
            now=NOW,
        ).token  # fmt: skip
    return {"prefix": found.prefix}


def _link(w: World) -> dict[str, Any]:
    return {"org": w.org.slug, "token": w.token()}


def _consumer_case(w: World) -> Any:
    """A hosted consumer's case of Ada's (any signed-in account may keep case files), with
    a contact, a file and a drafted letter; made once, before any snapshot."""
    from plaint.consumer import services as consumer
    from plaint.consumer.models import ConsumerCase

    found = ConsumerCase.objects.filter(owner=w.admin, title="Sweep").first()
    if found is not None:
        return found
    now = datetime(2026, 3, 2, 10, tzinfo=UTC)
    case = consumer.case_start(
        owner=w.admin, title="Sweep", jurisdiction="GB", time_zone="Europe/London", now=now
    )
    consumer.answers_save(
        case=case,
        answers={
            "customer.name": "Pat Sweep",
            "customer.address": "1 Road\nLeeds",
            "business.name": "Shop Ltd",
            "case.product": "Kettle",
            "case.occurred_on": "2026-02-01",
            "case.description": "It leaks.",
            "case.desired_resolution": "A refund.",
        },
        today=now.date(),
        now=now,
    )
    consumer.evidence_add(
        case=case,
        filename="bill.pdf",
        content_type="application/pdf",
        data=PDF,
        description="Bill",
        now=now,
    )
    consumer.letter_draft(case=case, kind="complaint", today=now.date(), now=now)
    return case


def _consumer(w: World, **more: Any) -> dict[str, Any]:
    return {"pk": _consumer_case(w).pk, **more}


def _consumer_letter(w: World) -> dict[str, Any]:
    return _consumer(w, lid=_consumer_case(w).letters.get().pk)


def _disputes_made(w: World) -> dict[str, int]:
    """On case A: a logged cease-and-desist, a contact restriction in force and a
    cease-and-desist the customer sent (the objects the disputes forms name); made once,
    before any snapshot."""
    if "disputes" not in w.made:
        from plaint.cases.ledger import Actor
        from plaint.disputes import services as disputes

        actor, now = Actor.staff(w.admin), datetime(2026, 3, 2, 10, tzinfo=UTC)
        dispute = disputes.dispute_log(
            case=w.case,
            sender="Grey & Co Solicitors",
            demands="Stop calling our client.",
            letter_date=date(2026, 2, 26),
            actor=actor,
            now=now,
        )
        restriction = disputes.restriction_add(
            case=w.case, kind="stop_calling", actor=actor, now=now
        )
        sent = disputes.cease_desist_sent_record(
            case=w.case,
            sent_on=date(2026, 3, 1),
            method="email",
            comply_by=date(2026, 3, 20),
            conduct="Calls at work",
            actor=actor,
            now=now,
        )
        w.made["disputes"] = {"dispute": dispute.pk, "restriction": restriction.pk, "sent": sent.pk}
    made = w.made["disputes"]
    assert isinstance(made, dict)
    return made


def _ref_disputes(w: World) -> dict[str, Any]:
    _disputes_made(w)  # before the snapshot: the bodies name these objects
    return _ref(w)


def _dispute_id(w: World) -> dict[str, Any]:
    return {"dispute_id": str(_disputes_made(w)["dispute"])}


#: A body for each disputes-panel action on case A that the admin could send (so a 403
#: can only come from the missing token).
DISPUTE_BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "log": lambda w: {
        "sender": "Lane Solicitors",
        "letter_date": "2026-02-27",
        "demands": "Stop writing to our client.",
        "letter": SimpleUploadedFile("letter.pdf", PDF, "application/pdf"),
    },
    "authority": lambda w: {**_dispute_id(w), "status": "on_file"},
    "conduct": lambda w: {**_dispute_id(w), "conduct": "Calls"},
    "investigation": lambda w: {
        **_dispute_id(w),
        "investigator": "Lee Gal",
        "records_checked": "call log",
        "findings": "4 calls",
    },
    "decision": lambda w: {**_dispute_id(w), "decision": "comply", "reasons": "Calls stop."},
    "restrict": lambda w: {"kind": "not_at_work", "note": "Solicitor asked"},
    "lift": lambda w: {"restriction_id": str(_disputes_made(w)["restriction"]), "reason": "x"},
    "eligibility": lambda w: {"complainant": "consumer"},
    "reply": lambda w: {**_dispute_id(w), "respond_by": "2999-01-01"},
    "sent": lambda w: {
        "sent_on": "2026-03-01",
        "method": "email",
        "comply_by": "2026-03-20",
        "conduct": "Calls",
    },
    "outcome": lambda w: {"sent_id": str(_disputes_made(w)["sent"]), "stopped": "yes"},
}


RECIPES: dict[str, Recipe] = {
    "login": Recipe(ANYONE, body=lambda w: {"username": "ada", "password": "pw-ada-123"}),
    "logout": Recipe(STAFF),
    "password_confirm": Recipe(STAFF, body=lambda w: {"password": "pw-ada-123", "next": "/"}),
    # two-factor: the code step of signing in, one's own set-up page
    "two_factor_signin": Recipe(ANYONE, body=lambda w: {"code": "123456"}),
    "two_factor_account": Recipe(STAFF, body=lambda w: {"code": "123456"}),
    "two_factor_qr": Recipe(STAFF),
    "two_factor_recovery_codes": Recipe(STAFF),
    # Single sign-on (GET only; 404 while off): tests/accounts_oidc.
    "sso_start": Recipe(ANYONE),
    "sso_callback": Recipe(ANYONE),
    # Violation reports are JSON bodies; a form body is refused (415) and writes nothing.
    "csp_report": Recipe(ANYONE, body=lambda w: {"csp-report": "x"}),
    "desk:case_list": Recipe(STAFF),
    # answers 204 for a case the user may not see (tests/desk/test_collision.py), not 404
    "desk:case_version": Recipe(STAFF, _ref),
    "bulk:start": Recipe(
        STAFF,
        body=lambda w: {
            "action": "priority",
            "scope": "selected",
            "case": [w.case.pk],
            "priority": "high",
        },
    ),
    "bulk:job": Recipe(STAFF, _bulk_job, objects=("pk",)),
    "bulk:progress": Recipe(STAFF, _bulk_job, objects=("pk",)),
    # hosted mail services' webhooks: no session, their own signature or basic auth
    "messaging:inbound_mailgun": Recipe(ANYONE, lambda w: {"slug": w.org.slug}),
    "messaging:inbound_postmark": Recipe(ANYONE, lambda w: {"slug": w.org.slug}),
    "desk:case_detail": Recipe(STAFF, _ref, objects=("reference",)),
    "desk:case_action": Recipe(
        STAFF,
        _ref,
        body=lambda w: {},  # per action: ACTION_BODIES
        expand=("action", tuple(ACTIONS)),
        objects=("reference",),
    ),
    "desk:letter_generate": Recipe(
        STAFF,
        _ref,
        body=lambda w: {
            "kind": "acknowledgement",
            "page_size": "A4",
            "f-business.address": "1 Commerce Way\nLondon",
        },
        objects=("reference",),
    ),
    "desk:letter_preview": Recipe(
        STAFF, lambda w: {**_ref(w), "seq": w.letter_seq}, objects=("reference", "seq")
    ),
    "desk:letter_sent": Recipe(
        STAFF,
        lambda w: {**_ref(w), "seq": w.letter_seq},
        body=lambda w: {"sent_at": "2026-03-01T16:00", "method": "email", "tracking_number": ""},
        objects=("reference", "seq"),
    ),
    "desk:letter_withdraw": Recipe(
        STAFF,
        lambda w: {**_ref(w), "seq": w.letter_seq},
        body=lambda w: {"reason": "Made twice by mistake"},
        objects=("reference", "seq"),
    ),
    "desk:evidence_download": Recipe(
        STAFF,
        lambda w: {**_ref(w), "pk": w.staff_evidence.pk},
        objects=("reference", "pk"),
    ),
    # issue 18 (desk): saved views of the queue.
    "desk:saved_view_save": Recipe(
        STAFF, body=lambda w: {"name": "Mine", "view:status": "received", "view:sort": "next_due"}
    ),
    "desk:saved_view_delete": Recipe(STAFF, lambda w: {"pk": _saved_view(w)}, objects=("pk",)),
    "desk:letter_file": Recipe(
        STAFF,
        lambda w: {**_ref(w), "seq": w.letter_seq, "fmt": "pdf"},
        objects=("reference", "seq"),
    ),
    "portal:complaint_form": Recipe(
        ANYONE,
        lambda w: {"org": w.org.slug},
        body=lambda w: complaint(evidence=[SimpleUploadedFile("a.pdf", PDF, "application/pdf")]),
    ),
    "portal:received": Recipe(ANYONE, lambda w: {"org": w.org.slug}),
    "portal:case": Recipe(CUSTOMER, _link),
    "portal:information": Recipe(CUSTOMER, _link, body=lambda w: {"text": "More facts."}),
    "portal:reply": Recipe(
        CUSTOMER,
        _link,
        body=lambda w: {
            "text": "Any news?",
            "evidence": [SimpleUploadedFile("c.pdf", PDF, "application/pdf")],
        },
    ),
    "portal:offer_answer": Recipe(
        CUSTOMER,
        lambda w: {**_link(w), "pk": w.offer.pk},
        body=lambda w: {"answer": "accept"},
        objects=("pk",),
    ),
    "portal:link_request": Recipe(
        ANYONE,
        lambda w: {"org": w.org.slug},
        body=lambda w: {"reference": w.case.reference, "email": "dana@example.org"},
    ),
    "portal:evidence": Recipe(
        CUSTOMER,
        _link,
        body=lambda w: {"evidence": [SimpleUploadedFile("b.pdf", PDF, "application/pdf")]},
    ),
    "portal:evidence_download": Recipe(
        CUSTOMER, lambda w: {**_link(w), "pk": w.customer_evidence.pk}, objects=("pk",)
    ),
    "portal:escalate": Recipe(
        CUSTOMER, _link, body=lambda w: {"grounds": "unhappy", "explanation": "Too slow."}
    ),
    "portal:letter_pdf": Recipe(
        CUSTOMER, lambda w: {**_link(w), "seq": w.letter_seq}, objects=("seq",)
    ),
    "portal:dispute_sent": Recipe(
        CUSTOMER,
        _link,
        body=lambda w: {
            "sent_on": "2026-02-16",
            "method": "email",
            "comply_by": "2026-03-01",
            "conduct": "Calling me at work.",
        },
    ),
    "portal:dispute_outcome": Recipe(
        CUSTOMER,
        lambda w: {**_link(w), "pk": _disputes_made(w)["sent"]},
        body=lambda w: {"stopped": "no"},
        objects=("pk",),
    ),
    # the desk's admin pages: the team and the letter templates
    "desk_admin:team": Recipe(STAFF),
    "desk_admin:templates": Recipe(STAFF),
    "desk_admin:signins": Recipe(STAFF),
    "desk_admin:signin_unlock": Recipe(STAFF, body=lambda w: {"username": w.member.username}),
    "desk_admin:member_new": Recipe(
        STAFF,
        body=lambda w: {
            "username": "newbie",
            "first_name": "New",
            "last_name": "Member",
            "email": "newbie@example.org",
            "roles": ["agent"],
            "password": NEW_PASSWORD,
            "again": NEW_PASSWORD,
        },
    ),
    "desk_admin:member": Recipe(
        STAFF,
        lambda w: {"user_id": w.member.pk},
        body=lambda w: {
            "first_name": "Renamed",
            "last_name": "Agent",
            "email": "renamed@example.org",
            "roles": ["supervisor"],
            "is_active": "on",
        },
        objects=("user_id",),
    ),
    "desk_admin:two_factor_policy": Recipe(STAFF, body=lambda w: {"required": "on"}),
    "desk_admin:member_two_factor_reset": Recipe(
        STAFF, lambda w: {"user_id": w.member.pk}, objects=("user_id",)
    ),
    "desk_admin:member_password": Recipe(
        STAFF,
        lambda w: {"user_id": w.member.pk},
        body=lambda w: {"password": NEW_PASSWORD, "again": NEW_PASSWORD},
        objects=("user_id",),
    ),
    # reports (GET only, except the settings page)
    "reports:reports": Recipe(STAFF),
    "reports:cases": Recipe(STAFF),
    "reports:csv": Recipe(STAFF, lambda w: {"name": "by_product"}),
    "reports:fca_return": Recipe(STAFF),
    "reports:fca_return_csv": Recipe(STAFF),
    "reports:cfpb_export": Recipe(STAFF),
    "reports:xlsx": Recipe(STAFF),
    "reports:fca_return_xlsx": Recipe(STAFF),
    "reports:settings": Recipe(
        STAFF, body=lambda w: {"action": "add_cause", "label": "Courier damage"}
    ),
    "reports:actions": Recipe(
        STAFF, body=lambda w: {"action": "open", "title": "Clearer fee notices"}
    ),
    # terminations and the reputation watch (no termination or review exists in the
    # world: the numbered pages answer 404, the forms would write a proposal or reviews)
    "terminations:list": Recipe(STAFF),
    "terminations:new": Recipe(
        STAFF,
        body=lambda w: {
            "case": w.case.reference,
            "reason": "abuse",
            "facts": "Threats to staff",
            "product": "other",
            "immediate_justification": "Threats to kill",
        },
    ),
    "terminations:detail": Recipe(
        STAFF,
        lambda w: {"pk": 1},
        body=lambda w: {"action": "reverse", "reason": "x"},
        objects=("pk",),
    ),
    "terminations:appeal": Recipe(ANYONE, body=lambda w: {"token": "x", "grounds": "unfair"}),
    "reputation:reputation": Recipe(
        STAFF,
        body=lambda w: {
            "source": "tp",
            "file": SimpleUploadedFile(
                "r.json",
                b'[{"datetime": "2026-03-01T10:00:00Z", "rating": 2, "review": "Slow"}]',
                "application/json",
            ),
        },
    ),
    "reputation:reply": Recipe(STAFF, lambda w: {"pk": 1}, objects=("pk",)),
    # the consumer's workspace, hosted (each case file is its signed-in owner's)
    "consumer:home": Recipe(
        STAFF, body=lambda w: {"title": "New", "jurisdiction": "GB", "time_zone": "UTC"}
    ),
    "consumer:import": Recipe(
        STAFF,
        body=lambda w: {"file": SimpleUploadedFile("c.yaml", b"customer:\n  name: Pat\n")},
    ),
    "consumer:case": Recipe(STAFF, _consumer, objects=("pk",)),
    "consumer:contact_add": Recipe(
        STAFF,
        _consumer,
        body=lambda w: {"at": "2026-03-01T10:00", "channel": "phone", "direction": "inbound"},
        objects=("pk",),
    ),
    "consumer:evidence_add": Recipe(
        STAFF, _consumer, body=lambda w: _evidence_file(), objects=("pk",)
    ),
    "consumer:evidence": Recipe(
        STAFF,
        lambda w: _consumer(w, eid=_consumer_case(w).evidence.get().pk),
        objects=("pk", "eid"),
    ),
    "consumer:conduct": Recipe(
        STAFF, _consumer, body=lambda w: {"conduct": "yes"}, objects=("pk",)
    ),
    "consumer:facts": Recipe(
        STAFF, _consumer, body=lambda w: {"letter.delivered_on": "2026-02-20"}, objects=("pk",)
    ),
    "consumer:calendar": Recipe(STAFF, _consumer, objects=("pk",)),
    "consumer:export": Recipe(STAFF, _consumer, objects=("pk",)),
    "consumer:interview_start": Recipe(
        STAFF, lambda w: _consumer(w, kind="complaint"), objects=("pk",)
    ),
    "consumer:interview_check": Recipe(
        STAFF, lambda w: _consumer(w, kind="complaint"), objects=("pk",)
    ),
    "consumer:interview": Recipe(
        STAFF,
        lambda w: _consumer(w, kind="complaint", step=1),
        body=lambda w: {"answer": "Pat Sweep", "go": "next"},
        objects=("pk",),
    ),
    "consumer:letter": Recipe(STAFF, _consumer_letter, objects=("pk", "lid")),
    "consumer:letter_sent": Recipe(
        STAFF,
        _consumer_letter,
        body=lambda w: {"method": "post", "sent_on": "2026-03-02"},
        objects=("pk", "lid"),
    ),
    "consumer:letter_cover": Recipe(STAFF, _consumer_letter, objects=("pk", "lid")),
    "consumer:letter_file": Recipe(
        STAFF, lambda w: {**_consumer_letter(w), "fmt": "pdf"}, objects=("pk", "lid")
    ),
    "consumer:sign_in": Recipe(ANYONE, body=lambda w: {"email": "pat@example.org"}),
    "consumer:reminders": Recipe(STAFF, body=lambda w: {"reminders": "off"}),
    # the desk's page of API tokens (admins)
    "api_desk:tokens": Recipe(
        STAFF, body=lambda w: {"name": "Website", "owner": w.admin.pk, "scopes": ["read"]}
    ),
    "api_desk:token_revoke": Recipe(STAFF, _token_prefix, objects=("prefix",)),
    "consumer:sign_in_link": Recipe(ANYONE, lambda w: {"uid": "MQ", "code": "x-y"}),
    # mail (the messaging part)
    "messaging:outbox": Recipe(STAFF),
    "messaging:replies": Recipe(STAFF),
    "messaging:send": Recipe(
        STAFF, _ref, body=lambda w: {"subject": "Hello", "text": "Words"}, objects=("reference",)
    ),
    "messaging:read": Recipe(STAFF, _ref, body=lambda w: {"read": "1"}, objects=("reference",)),
    "messaging:message": Recipe(STAFF, lambda w: {"pk": _mail_of(w).pk}, objects=("pk",)),
    "messaging:delivery_resolve": Recipe(
        STAFF,
        lambda w: {"pk": _mail_of(w).delivery_id},
        body=lambda w: {"arrived": "yes"},
        objects=("pk",),
    ),
    # the disputes panel (cease-and-desist letters, restrictions, referral) on the desk
    "disputes:due": Recipe(STAFF),
    "disputes:action": Recipe(
        STAFF,
        _ref_disputes,
        body=lambda w: {},  # per action: DISPUTE_BODIES
        expand=("action", tuple(DISPUTE_BODIES)),
        objects=("reference",),
    ),
    "disputes:referral_pack": Recipe(STAFF, _ref, objects=("reference",)),
    # records: corrections, legal holds and evidence packs (the customer's pack is reached
    # with a signed grant in the body, minted on their portal page)
    "records:case_correct": Recipe(
        STAFF,
        _ref,
        body=lambda w: {"field": "case.product", "value": "Gas", "reason": "Typo at intake"},
        objects=("reference",),
    ),
    "records:case_hold": Recipe(
        STAFF, _ref, body=lambda w: {"reason": "Claim threatened"}, objects=("reference",)
    ),
    "records:case_export": Recipe(STAFF, _ref, objects=("reference",)),
    "records:case_erase": Recipe(
        STAFF, _ref, body=lambda w: {"confirm_reference": w.case.reference}, objects=("reference",)
    ),
    "records:retention": Recipe(
        STAFF,
        body=lambda w: {"regime": "", "years": "7", "counted_from": "closed", "reason": "policy"},
    ),
    "records:subject_access_log": Recipe(
        STAFF,
        _ref,
        body=lambda w: {"requested_on": "2026-03-01", "received_by": "e-mail"},
        objects=("reference",),
    ),
    "records:subject_access_answer": Recipe(STAFF, _sar_pk, objects=("pk",)),
    "accesslog:list": Recipe(STAFF),
    "records:customer_pack": Recipe(ANYONE, body=lambda w: {"grant": _pack_grant(w)}),
}


#: The per-value bodies of the routes whose recipe expands one argument.
EXPANDED_BODIES = {"desk:case_action": ACTION_BODIES, "disputes:action": DISPUTE_BODIES}


def _pack_grant(w: World) -> str:
    from plaint.records.grants import customer_pack_grant

    return customer_pack_grant(w.case)


@dataclass(frozen=True)
class Request:
    """One concrete request of a route: its id in test output, URL and body."""

    route: str
    who: str
    url: str
    body: dict[str, Any]


def requests_for(route: str, world: World) -> list[Request]:
    recipe = RECIPES.get(route)
    assert recipe is not None, (
        f"route {route} is new: say in tests/security/routes.py RECIPES who uses it, with "
        "what address and body, so the CSRF and IDOR sweeps cover it"
    )
    kwargs = recipe.kwargs(world)
    if recipe.expand is None:
        return [Request(route, recipe.who, reverse(route, kwargs=kwargs), recipe.body(world))]
    argument, values = recipe.expand
    return [
        Request(
            f"{route}[{value}]",
            recipe.who,
            reverse(route, kwargs={**kwargs, argument: value}),
            EXPANDED_BODIES[route][value](world)
            if route in EXPANDED_BODIES
            else recipe.body(world),
        )
        for value in values
    ]


ROUTE_NAMES = sorted(r.name for r in discovered_routes())
