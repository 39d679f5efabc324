"""Staff desk views: parse the request, call a selector or a service, render. No business
logic: the services decide what is allowed and write; these views only check who may ask."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from plaint.accesslog.models import AccessAction
from plaint.accesslog.recording import request_access_record
from plaint.accounts.models import Organisation, User
from plaint.accounts.selectors import staff_list
from plaint.cases import selectors, services
from plaint.cases.downloads import evidence_response
from plaint.cases.evidence_store import BlobAltered, blob_open_checked
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, Evidence
from plaint.cases.queue import case_due_state
from plaint.cases.selectors import CaseNotFound
from plaint.cases.taxonomy import root_cause_labels, root_causes
from plaint.deadlines.selectors import case_deadline_views
from plaint.deadlines.services import case_deadlines_refresh
from plaint.desk import forms as desk_forms
from plaint.desk import queues
from plaint.desk import selectors as desk_selectors
from plaint.desk import services as desk_services
from plaint.desk.letter_forms import LetterMarkSentForm, LetterWithdrawForm
from plaint.desk.middleware import background
from plaint.desk.models import SavedView
from plaint.domain.collision import changes_said, version_parse
from plaint.domain.disputes.restrictions import ContactRestricted
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.lifecycle import CaseStatus
from plaint.domain.triage.taxonomy import CONSUMER_CATEGORIES, Taxonomy
from plaint.domain.vocabulary import Priority, Visibility
from plaint.letters import selectors as letter_selectors
from plaint.records import integrity
from plaint.triage import selectors as triage_selectors
from plaint.triage import services as triage_services
from plaint.triage.models import TriageRecord

PAGE_SIZE = 50


def _organisation(request: HttpRequest) -> Organisation:
    """The signed-in member of staff's organisation: the only one they can ever see."""
    org: Organisation | None = getattr(request.user, "organisation", None)
    if org is None:
        raise PermissionDenied("Your account does not belong to an organisation.")
    return org


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_list_view(request: HttpRequest) -> HttpResponse:
    org = _organisation(request)
    user, now = _user(request), timezone.now()
    params = request.GET
    views = list(desk_selectors.saved_views(user=user))
    view = _chosen_view(request, views)
    if view is not None:
        params = QueryDict(view.query)
    # The queue may be a moment behind: it reads from the read replica, if there is one
    # (unless this member of staff has just written: plaint.config.replicas).
    chosen = desk_selectors.queue_select(
        organisation=org, user=user, params=params, now=now, stale_ok=True
    )
    form, cases, queue = chosen.form, chosen.cases, chosen.queue
    all_cases = selectors.case_list(organisation=org, visible_to=user, stale_ok=True)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.case_status_counts(organisation=org, visible_to=user, stale_ok=True)
    query = params.copy()
    query.pop("page", None)
    query.pop("view", None)
    context = {
        "form": form,
        "page": page,
        "rows": [(case, case_due_state(case, now=now)) for case in page],
        "columns": form.chosen_columns(),
        "saved_views": views,
        "view": view,
        "query": query.urlencode(),
        "query_items": [(key, value) for key, values in query.lists() for value in values],
        "queue": queue,
        "staff": [(u.pk, u.display_name) for u in staff_list(organisation=org)],
        "statuses": [s for s in CaseStatus if s is not CaseStatus.CLOSED],
        "priorities": list(Priority),
        "queues": queues.queue_counts(all_cases, organisation=org, user=user, now=now),
        "counts": [
            (status, status.label, n) for status in CaseStatus if (n := counts.get(status.value, 0))
        ],
    }
    template = (
        "desk/_case_rows.html" if request.headers.get("HX-Request") else "desk/case_list.html"
    )
    return render(request, template, context)


def _chosen_view(request: HttpRequest, views: list[SavedView]) -> SavedView | None:
    """The saved view `?view=<id>` names, if it is one this member of staff may use."""
    wanted = request.GET.get("view", "")
    return next((v for v in views if str(v.pk) == wanted), None) if wanted.isdigit() else None


#: The save-view form carries each of the queue's parameters as its own field, named with
#: this prefix (so a value reads back on the page exactly as it was typed).
_VIEW_PARAMETER = "view:"


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_POST
def saved_view_save_view(request: HttpRequest) -> HttpResponse:
    """Save the queue as it is now shown (its query string) under a name."""
    user = _user(request)
    name = request.POST.get("name", "")
    try:
        view = desk_services.saved_view_save(
            owner=user,
            name=name,
            parameters=[
                (key.removeprefix(_VIEW_PARAMETER), value)
                for key, values in request.POST.lists()
                if key.startswith(_VIEW_PARAMETER)
                for value in values
            ],
            shared=request.POST.get("shared") == "on",
            now=timezone.now(),
        )
    except DomainError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    return redirect(f"{reverse('desk:case_list')}?view={view.pk}")


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_POST
def saved_view_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        desk_services.saved_view_delete(owner=_user(request), pk=pk)
    except DomainError as exc:
        return HttpResponse(exc.message, status=404, content_type="text/plain; charset=utf-8")
    return redirect("desk:case_list")


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_detail_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    response = _case_page(request, case)
    if request.method == "GET" and response.status_code == 200:
        request_access_record(request, AccessAction.CASE_VIEWED, case_reference=case.reference)
    return response


@background
@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_GET
def case_version_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Has anyone changed the case since version `since` (the page's)? 204 with no body
    when nothing did (htmx then leaves the page alone), else the banner saying who did
    what and how long ago. The case page polls it every PLAINT_COLLISION_POLL_SECONDS.

    One indexed query. Not written to the access log: opening the case page was, and a
    poll every few seconds from each open tab would bury the reads that matter; the poll
    tells no more than that page showed. A background view: it does not keep an idle
    session alive."""
    try:
        since = version_parse(request.GET.get("since"))
    except FieldErrors as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    if since is None:
        return HttpResponse(
            "since: the version of the page is required", status=400, content_type="text/plain"
        )
    changes = selectors.case_changes_since(
        organisation=_organisation(request),
        reference=reference,
        since=since,
        visible_to=_user(request),
    )
    if not changes:
        return HttpResponse(status=204)
    context = {
        "reference": reference,
        "said": changes_said(changes, now=timezone.now()),
        "count": len(changes),
        "latest": changes[0].seq,
    }
    return render(request, "desk/_collision.html", context)


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_GET
def evidence_download_view(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    """One evidence file of a case the member of staff may see, as a download (never shown
    inline: it is whatever the customer sent); a file altered on disk is refused (409)."""
    case = _case(request, reference)
    try:
        item = selectors.case_evidence(case=case).get(pk=pk)
    except Evidence.DoesNotExist:
        raise Http404(f"No evidence #{pk} on {case.reference}.") from None
    try:
        stream = blob_open_checked(item.sha256)
    except BlobAltered as exc:
        return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
    request_access_record(
        request,
        AccessAction.EVIDENCE_DOWNLOADED,
        case_reference=case.reference,
        detail={"evidence": item.pk, "sha256": item.sha256},
    )
    return evidence_response(stream, filename=item.filename, content_type=item.content_type)


def _case(request: HttpRequest, reference: str) -> Case:
    """The case with this reference in the signed-in user's organisation, or 404."""
    org = _organisation(request)
    try:
        return selectors.case_get(organisation=org, reference=reference, visible_to=_user(request))
    except CaseNotFound:
        raise Http404(f"No case {reference} in {org.name}.") from None


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# ---------------------------------------------------------------- the case page


class _Page:
    """What the case page needs to know to offer its forms: computed once per request."""

    def __init__(self, request: HttpRequest, case: Case) -> None:
        self.request = request
        self.case = case
        self.user = _user(request)
        self.can_work = self.user.has_perm("cases.work_case")
        self.can_reassign = self.user.has_perm("cases.reassign_case")
        self.can_review_legal = self.user.has_perm("cases.review_legal")
        self.triage: TriageRecord | None = triage_selectors.triage_get(case=case)
        self.offers = list(selectors.case_offers(case=case))

    def can_assign(self) -> bool:
        """Supervisors and admins reassign; an agent may take an unassigned case."""
        return self.can_reassign or (self.can_work and self.case.assignee_id is None)

    def staff(self) -> list[tuple[int, str]]:
        if self.can_reassign:
            members = staff_list(organisation=_organisation(self.request))
            return [(u.pk, u.display_name) for u in members]
        return [(self.user.pk, self.user.display_name)]

    def pending_offers(self) -> list[tuple[int, str]]:
        return [
            (o.pk, f"{o.get_redress_display()} {o.currency} {o.amount or ''}".strip())
            for o in self.offers
            if o.answer == "pending"
        ]

    def triage_labels(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The label names of the case's taxonomy and, for the consumer taxonomy, the
        categories to choose from."""
        if self.triage is None:
            return (), ()
        if self.triage.taxonomy == Taxonomy.CFPB.value:
            return ("product", "issue"), ()
        return ("category",), CONSUMER_CATEGORIES

    def triage_initial(self) -> dict[str, str]:
        if self.triage is None:
            return {}
        labels = dict(self.triage.confirmed_labels or {})
        for name, suggestion in (self.triage.suggestions or {}).items():
            labels.setdefault(name, suggestion.get("label", ""))
        return labels

    def form(self, name: str, data: Any = None, files: Any = None) -> forms.Form:
        form = self._form(name, data, files)
        form.auto_id = f"id_{name}_%s"  # several forms on one page: keep ids unique
        return form

    def _form(self, name: str, data: Any, files: Any) -> forms.Form:
        if name == "assign":
            return desk_forms.AssignForm(data, staff=self.staff())
        if name == "transition":
            statuses = selectors.case_next_statuses(case=self.case)
            return desk_forms.TransitionForm(data, statuses=statuses)
        if name == "answer":
            return desk_forms.OfferAnswerForm(data, offers=self.pending_offers())
        if name == "contact":
            organisation = self.case.organisation
            return desk_forms.ContactForm(
                data,
                zone=ZoneInfo(organisation.time_zone),
                now=timezone.now(),
                country=organisation.country,
            )
        if name == "close":
            causes = root_causes(organisation=self.case.organisation)
            return desk_forms.CloseForm(data, root_causes=[(c.code, c.label) for c in causes])
        if name == "triage":
            names, choices = self.triage_labels()
            return desk_forms.TriageConfirmForm(
                data, initial=self.triage_initial(), names=names, choices=choices
            )
        form_class = ACTIONS[name].form
        assert form_class is not None, name
        return form_class(data, files)

    def allowed(self, name: str) -> bool:
        if name == "assign":
            return self.can_assign()
        return self.user.has_perm(ACTIONS[name].permission)

    def context(self, bound: dict[str, forms.Form] | None = None) -> dict[str, Any]:
        bound = bound or {}
        case = self.case
        action_forms = {
            name: bound.get(name) or self.form(name)
            for name in ACTIONS
            if name in bound
            or (
                self.allowed(name)
                and (
                    name != "triage"
                    or (self.triage is not None and case.status != CaseStatus.CLOSED)
                )
            )
        }
        return {
            "case": case,
            "root_cause": root_cause_labels(organisation=case.organisation).get(
                case.root_cause_code, case.root_cause_code
            ),
            "timeline": selectors.case_timeline(case=case),
            "ledger": (ledger := selectors.case_ledger_check(case=case)),
            "checked": integrity.case_page_check(
                case=case,
                chain=ledger,
                byte_budget=settings.PLAINT_VERIFY_BYTES_PER_VIEW,
            ),
            "contacts": selectors.case_contacts(case=case),
            "evidence": selectors.case_evidence(case=case),
            "offers": self.offers,
            "next_statuses": selectors.case_next_statuses(case=case),
            "deadlines": case_deadline_views(case=case, now=timezone.now()),
            "triage": self.triage,
            "forms": action_forms,
            "can_work": self.can_work,
            "can_take": self.can_work and not self.can_reassign and case.assignee_id is None,
            **_letters_context(case, bound),
            "poll_seconds": settings.PLAINT_COLLISION_POLL_SECONDS,
            "legal_pending": self.triage is not None
            and self.triage.legal_review == TriageRecord.LegalReview.PENDING,
        }


def _letters_context(case: Case, bound: dict[str, forms.Form]) -> dict[str, Any]:
    kept = letter_selectors.case_letters(case=case)
    zone = ZoneInfo(case.organisation.time_zone)
    rows = []
    for item in kept:
        forms_of_letter: list[forms.Form] = []
        for name, make in (
            (f"sent{item.event.seq}", lambda: LetterMarkSentForm(zone=zone)),
            (f"withdraw{item.event.seq}", LetterWithdrawForm),
        ):
            form = bound.get(name) or make()
            form.auto_id = f"id_{name}_%s"
            forms_of_letter.append(form)
        rows.append((item, *forms_of_letter))
    return {
        "letters": rows,
        "letter_form": bound.get("letter")
        or desk_forms.LetterForm(
            auto_id="id_letter_%s",
            # US organisations write on US Letter, the rest of the world on A4.
            initial={"page_size": "Letter" if case.organisation.country == "US" else "A4"},
        ),
        "letter_fields_form": bound.get("letter_fields"),
    }


def _case_page(
    request: HttpRequest, case: Case, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request, "desk/case_detail.html", _Page(request, case).context(bound), status=status
    )


# ---------------------------------------------------------------- case-page actions

Run = Callable[[Case, dict[str, Any], Actor, datetime], object]


@dataclass(frozen=True)
class _Action:
    """One small form of the case page: who may send it, the service it calls, and its form
    (None: built from the case by `_Page.form`)."""

    permission: str
    run: Run
    form: type[forms.Form] | None = None


def _contact(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    # The service refuses a contact a restriction forbids; the desk asks for the tick.
    confirmed = data.pop("confirm_restricted", False)
    try:
        return services.case_contact_log(
            case=case,
            actor=actor,
            now=now,
            confirmed_despite_restriction=confirmed,
            confirmed_by=actor.label if confirmed else "",
            **data,
        )
    except ContactRestricted as exc:
        raise FieldErrors({"confirm_restricted": f"{exc.reasons}. Tick to log it anyway"}) from None


def _note(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    return services.case_note_add(
        case=case,
        text=data["text"],
        visibility=Visibility(data["visibility"]),
        actor=actor,
        now=now,
    )


def _evidence(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    upload = data["file"]
    return services.case_evidence_attach(
        case=case,
        filename=upload.name or "",
        stream=upload,
        content_type=upload.content_type or "",
        description=data["description"],
        actor=actor,
        now=now,
    )


def _assign(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    assignee = None
    if data["assignee"]:
        members = {u.pk: u for u in staff_list(organisation=case.organisation)}
        assignee = members.get(int(data["assignee"]))
        if assignee is None:
            raise FieldErrors({"assignee": "is not active staff of this organisation"})
    return services.case_assign(case=case, assignee=assignee, actor=actor, now=now)


def _transition(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    return services.case_transition(
        case=case, to=data["to"], reason=data["reason"], actor=actor, now=now
    )


def _offer(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    return services.case_offer_record(case=case, actor=actor, now=now, **data)


def _answer(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    offers = {o.pk: o for o in selectors.case_offers(case=case)}
    offer = offers.get(int(data["offer"]))
    if offer is None:
        raise FieldErrors({"offer": "is not an offer on this case"})
    return services.case_offer_answer(
        offer=offer,
        accepted=data["answer"] == "accept",
        comment=data["comment"],
        actor=actor,
        now=now,
    )


def _close(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    return services.case_close(case=case, actor=actor, now=now, **data)


def _milestone(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    return services.case_milestone_record(case=case, actor=actor, now=now, **data)


def _triage(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    return triage_services.triage_confirm(case=case, labels=data, actor=actor, now=now)


def _legal_clear(case: Case, data: dict[str, Any], actor: Actor, now: datetime) -> object:
    return triage_services.triage_legal_clear(case=case, note=data["note"], actor=actor, now=now)


WORK = "cases.work_case"
ACTIONS: dict[str, _Action] = {
    "contact": _Action(WORK, _contact, desk_forms.ContactForm),
    "note": _Action(WORK, _note, desk_forms.NoteForm),
    "evidence": _Action(WORK, _evidence, desk_forms.EvidenceForm),
    "assign": _Action("cases.reassign_case", _assign),  # or an agent taking a free case
    "transition": _Action(WORK, _transition),
    "offer": _Action(WORK, _offer, desk_forms.OfferForm),
    "answer": _Action(WORK, _answer),
    "close": _Action(WORK, _close, desk_forms.CloseForm),
    "milestone": _Action(WORK, _milestone, desk_forms.MilestoneForm),
    "triage": _Action(WORK, _triage),
    "legal_clear": _Action("cases.review_legal", _legal_clear, desk_forms.LegalClearForm),
}


def _same_site(request: HttpRequest, url: str) -> str:
    """`url` if it is a path on this site (where the queue's "assign to me" key came
    from), else ""."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _show_errors(form: forms.Form, exc: DomainError) -> None:
    """Put a service's message next to the field it names, or above the form."""
    if isinstance(exc, FieldErrors):
        for field, problem in exc.errors.items():
            form.add_error(field if field in form.fields else None, f"{field}: {problem}")
    else:
        form.add_error(None, exc.message)


@login_required
@require_POST
def case_action_view(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404(f"No action {action!r}.")
    if not request.user.has_perm("cases.view_case"):
        raise PermissionDenied
    case = _case(request, reference)
    page = _Page(request, case)
    if not page.allowed(action):
        raise PermissionDenied("Your role does not allow this on a case.")
    form = page.form(action, request.POST, request.FILES)
    if form.is_valid():
        now = timezone.now()
        try:
            # A form rendered before someone else changed the case is refused (collision).
            version = version_parse(request.POST.get("version"))
            with services.case_at_version(case=case, version=version, now=now):
                ACTIONS[action].run(case, dict(form.cleaned_data), Actor.staff(page.user), now)
        except DomainError as exc:
            _show_errors(form, exc)
        else:
            case_deadlines_refresh(case=case, now=now)
            back = _same_site(request, request.POST.get("next", ""))
            return redirect(
                back or f"{reverse('desk:case_detail', args=[case.reference])}#{action}"
            )
    case.refresh_from_db()
    return _case_page(request, case, {action: form}, status=400)
