"""The consumer's pages: parse the request, call a selector or a service, render.

Everything works without JavaScript: every action is a form post followed by a redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from plaint.cases.downloads import file_response
from plaint.consumer import exchange, forms, reminders, selectors, services, signin
from plaint.consumer.models import ConsumerCase
from plaint.domain.consumer.calendar import calendar_ics
from plaint.domain.consumer.cover import cover_sheet_html
from plaint.domain.consumer.nextstep import FACTS
from plaint.domain.consumer.questions import (
    Input,
    consumer_letters,
    interview_keys,
    question_for,
    required_keys,
)
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.letters import MEDIA_TYPES, letter_render, letter_spec
from plaint.domain.letters import letter_prepare as prepare
from plaint.domain.letters.catalogue import UnknownLetter
from plaint.domain.letters.checker import letter_check
from plaint.domain.letters.fields import InvalidFields, MissingFields
from plaint.domain.letters.formats import pdf_from_html
from plaint.domain.letters.render import PACKAGE_TEMPLATES
from plaint.domain.letters.schedule import DATE_NAMES, day_words
from plaint.limits.http import rate_limited

View = Callable[..., HttpResponseBase]


#: Hosted, every POST from one client address (the sign-in pages and a signed-in
#: consumer's pages) counts against PLAINT_PUBLIC_RATE_LIMIT per
#: PLAINT_PUBLIC_RATE_WINDOW_MINUTES; past it, HTTP 429 with Retry-After.
public_post = rate_limited("public-post", template="consumer/too_many.html")


def workspace(view: View) -> View:
    """The local workspace needs no account; hosted, the pages are a signed-in
    consumer's own, and their posts are rate-limited (`public_post`). Passes `owner`
    (None locally) to the view."""
    limited = public_post(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if settings.CONSUMER_LOCAL:
            return view(request, None, *args, **kwargs)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("consumer:sign_in"))
        return limited(request, request.user, *args, **kwargs)

    return wrapper


def _zone(case: ConsumerCase) -> ZoneInfo:
    return ZoneInfo("UTC" if case.time_zone == "UTC" else case.time_zone)


def _today(case: ConsumerCase) -> date:
    return timezone.now().astimezone(_zone(case)).date()


def _us(case: ConsumerCase) -> bool:
    return case.jurisdiction == "US"


# ---------------------------------------------------------------- home, import


def _reminders_context(owner: Any | None) -> dict[str, Any]:
    """The reminder setting of a hosted account (nothing in the local workspace)."""
    if owner is None:
        return {}
    on = reminders.reminders_on(owner)
    return {
        "reminders_form": forms.RemindersForm(initial={"reminders": "on" if on else "off"}),
        "reminders_on": on,
        "reminders_address": signin.verified_address(owner),
    }


@workspace
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest, owner: Any) -> HttpResponse:
    form = forms.CaseStartForm(request.POST or None)
    errors: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_start(owner=owner, now=timezone.now(), **form.cleaned_data)
        except FieldErrors as exc:
            errors = exc.errors
        else:
            return redirect("consumer:case", pk=case.pk)
    for name, message in errors.items():
        form.add_error(name if name in form.fields else None, message)
    return render(
        request,
        "consumer/home.html",
        {
            "cases": selectors.case_list(owner),
            "form": form,
            "import_form": forms.ImportForm(),
            "local": settings.CONSUMER_LOCAL,
            **_reminders_context(owner),
        },
        status=400 if form.errors else 200,
    )


@workspace
@require_POST
def case_import_view(request: HttpRequest, owner: Any) -> HttpResponse:
    form = forms.ImportForm(request.POST, request.FILES)
    problem = ""
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > exchange.MAX_IMPORT_BYTES:
            problem = "The file is larger than 200 MB."
        else:
            now = timezone.now()
            try:
                case = exchange.case_import(
                    owner=owner, data=upload.read(), filename=upload.name or "",
                    today=now.date(), now=now,
                )  # fmt: skip
            except FieldErrors as exc:
                problem = "The case file cannot be imported: " + "; ".join(
                    f"{key}: {message}" for key, message in sorted(exc.errors.items())
                )
            except DomainError as exc:
                problem = exc.message
            else:
                return redirect("consumer:case", pk=case.pk)
    else:
        problem = "Choose a case file to import."
    return render(
        request,
        "consumer/home.html",
        {
            "cases": selectors.case_list(owner),
            "form": forms.CaseStartForm(),
            "import_form": form,
            "import_problem": problem,
            "local": settings.CONSUMER_LOCAL,
            **_reminders_context(owner),
        },
        status=400,
    )


# ---------------------------------------------------------------- the case page


def _case_context(case: ConsumerCase, **extra: Any) -> dict[str, Any]:
    today = _today(case)
    local_now = timezone.now().astimezone(_zone(case))
    contact_form = extra.pop("contact_form", None) or forms.ContactForm(
        initial={"at": local_now.replace(second=0, microsecond=0, tzinfo=None)}
    )
    return {
        "case": case,
        "today": today,
        "suggestions": selectors.case_next(case, today=today),
        "letters": case.letters.all(),
        "writable": consumer_letters(case.jurisdiction),
        "contacts": case.contacts.all(),
        "evidence": case.evidence.all(),
        "dates": selectors.case_dates(case),
        "record": selectors.case_record(case)[:30],
        "contact_form": contact_form,
        "evidence_form": extra.pop("evidence_form", None) or forms.EvidenceForm(),
        "us": _us(case),
        "facts": extra.pop("facts", None) or _facts(case),
        **extra,
    }


@workspace
@require_safe
def case_page(request: HttpRequest, owner: Any, pk: int) -> HttpResponse:
    case = selectors.case_get(owner, pk)
    return render(request, "consumer/case.html", _case_context(case))


def _field_errors(form: Any, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        form.add_error(name if name in form.fields else None, message)


@workspace
@require_POST
def contact_add(request: HttpRequest, owner: Any, pk: int) -> HttpResponse:
    case = selectors.case_get(owner, pk)
    form = forms.ContactForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        at: datetime = data.pop("at").replace(tzinfo=_zone(case))
        try:
            services.contact_log(case=case, at=at, now=timezone.now(), **data)
        except FieldErrors as exc:
            _field_errors(form, exc.errors)
        else:
            return redirect(reverse("consumer:case", args=[case.pk]) + "#contacts")
    return render(request, "consumer/case.html", _case_context(case, contact_form=form), status=400)


@workspace
@require_POST
def evidence_upload(request: HttpRequest, owner: Any, pk: int) -> HttpResponse:
    case = selectors.case_get(owner, pk)
    form = forms.EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.evidence_add(
                case=case,
                filename=upload.name or "",
                content_type=upload.content_type or "",
                data=upload.read(),
                description=form.cleaned_data["description"],
                now=timezone.now(),
            )
        except FieldErrors as exc:
            _field_errors(form, exc.errors)
        else:
            return redirect(reverse("consumer:case", args=[case.pk]) + "#evidence")
    return render(
        request, "consumer/case.html", _case_context(case, evidence_form=form), status=400
    )


@workspace
@require_safe
def evidence_download(request: HttpRequest, owner: Any, pk: int, eid: int) -> HttpResponse:
    case = selectors.case_get(owner, pk)
    item = case.evidence.filter(pk=eid).exclude(sha256="").first()
    if item is None:
        return HttpResponse("No such file.", status=404, content_type="text/plain")
    return file_response(
        bytes(item.content), filename=item.filename, content_type="application/octet-stream"
    )


@workspace
@require_POST
def conduct_set(request: HttpRequest, owner: Any, pk: int) -> HttpResponse:
    case = selectors.case_get(owner, pk)
    services.answers_save(
        case=case,
        answers={},
        today=_today(case),
        now=timezone.now(),
        conduct_continues=request.POST.get("conduct") == "yes",
    )
    return redirect(reverse("consumer:case", args=[case.pk]) + "#next")


def _facts(case: ConsumerCase, posted: dict[str, str] | None = None,
           errors: dict[str, str] | None = None) -> list[dict[str, Any]]:  # fmt: skip
    out = []
    for key in FACTS.get(case.jurisdiction, ()):
        question = question_for(key)
        value = posted[key] if posted is not None else _shown(case.answers.get(key))
        out.append(
            {
                "key": key,
                "id": "fact_" + key.replace(".", "_"),
                "question": question,
                "input": question.input.value,
                "value": value,
                "error": (errors or {}).get(key, ""),
            }
        )
    return out


@workspace
@require_POST
def facts_save(request: HttpRequest, owner: Any, pk: int) -> HttpResponse:
    case = selectors.case_get(owner, pk)
    posted = {key: request.POST.get(key, "") for key in FACTS.get(case.jurisdiction, ())}
    try:
        services.answers_save(case=case, answers=posted, today=_today(case), now=timezone.now())
    except FieldErrors as exc:
        return render(
            request,
            "consumer/case.html",
            _case_context(case, facts=_facts(case, posted, exc.errors)),
            status=400,
        )
    return redirect(reverse("consumer:case", args=[case.pk]) + "#next")


@workspace
@require_safe
def calendar_download(request: HttpRequest, owner: Any, pk: int) -> HttpResponse:
    case = selectors.case_get(owner, pk)
    text = calendar_ics(selectors.case_due_dates(case), name=case.title, stamp=timezone.now())
    response = HttpResponse(text.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="plaint-case-{case.pk}.ics"'
    return response


@workspace
@require_safe
def export_download(request: HttpRequest, owner: Any, pk: int) -> HttpResponse:
    case = selectors.case_get(owner, pk)
    response = HttpResponse(exchange.case_export(case), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="plaint-case-{case.pk}.zip"'
    return response


# ---------------------------------------------------------------- the interview


def _spec_or_404(case: ConsumerCase, kind: str) -> Any:
    try:
        spec = letter_spec(kind)
    except UnknownLetter:
        spec = None
    if spec is None or spec not in consumer_letters(case.jurisdiction):
        raise Http404("This letter is not one a consumer here can write.")
    return spec


@workspace
@require_safe
def interview_start(request: HttpRequest, owner: Any, pk: int, kind: str) -> HttpResponse:
    """Start at the letter's first question still unanswered (answers other letters
    were given are kept and not asked again); all answered: the final check."""
    case = selectors.case_get(owner, pk)
    _spec_or_404(case, kind)
    keys = interview_keys(kind, case.answers)
    if request.GET.get("from") == "start":
        return redirect("consumer:interview", pk=pk, kind=kind, step=1)
    for number, key in enumerate(keys, start=1):
        if case.answers.get(key) in (None, "", []):
            return redirect("consumer:interview", pk=pk, kind=kind, step=number)
    return redirect("consumer:interview_check", pk=pk, kind=kind)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return "" if value is None else str(value)


@workspace
@require_http_methods(["GET", "POST"])
def interview_step(
    request: HttpRequest, owner: Any, pk: int, kind: str, step: int
) -> HttpResponseBase:
    case = selectors.case_get(owner, pk)
    spec = _spec_or_404(case, kind)
    keys = interview_keys(kind, case.answers)
    if not 1 <= step <= len(keys):
        return redirect("consumer:interview_check", pk=pk, kind=kind)
    key = keys[step - 1]
    drafts: dict[str, Any] = request.session.setdefault("consumer_drafts", {})
    draft_key = f"{case.pk}:{key}"
    error = ""
    review = request.GET.get("review") == "1"
    if request.method == "POST":
        go = request.POST.get("go", "next")
        raw = request.POST.get("answer", "")
        if go == "skip":
            drafts.pop(draft_key, None)
            request.session.modified = True
            return _after(case, kind, step, review=review)
        try:
            services.answers_save(
                case=case, answers={key: raw}, today=_today(case), now=timezone.now()
            )
        except FieldErrors as exc:
            error = exc.errors.get(key, exc.message)
            # Nothing typed is lost: going back keeps the text for when they return.
            drafts[draft_key] = {"text": raw, "error": error}
            request.session.modified = True
            if go == "back" and step > 1:
                return _step_redirect(pk, kind, step - 1, review)
        else:
            drafts.pop(draft_key, None)
            request.session.modified = True
            if go == "back":
                return _step_redirect(pk, kind, max(1, step - 1), review)
            case.refresh_from_db()
            return _after(case, kind, step, review=review)
        value = raw
    else:
        draft = drafts.get(draft_key)
        if draft:
            value, error = draft["text"], draft["error"]
        else:
            value = _shown(case.answers.get(key))
    question = question_for(key)
    needed = required_keys(kind, case.answers)
    answered = sum(1 for k in keys if case.answers.get(k) not in (None, "", []))
    return render(
        request,
        "consumer/interview.html",
        {
            "case": case,
            "spec": spec,
            "question": question,
            "input": question.input.value,
            "inputs": Input,
            "value": value,
            "error": error,
            "step": step,
            "total": len(keys),
            "answered": answered,
            "max_chars": f"{question.max_chars:,}",
            "required": key in needed,
            "today": _today(case),
            "review": review,
        },
        status=400 if error and request.method == "POST" else 200,
    )


def _step_redirect(pk: int, kind: str, step: int, review: bool) -> HttpResponse:
    url = reverse("consumer:interview", args=[pk, kind, step])
    return redirect(url + ("?review=1" if review else ""))


def _after(case: ConsumerCase, kind: str, step: int, *, review: bool) -> HttpResponse:
    """Forward from `step`: the next question (reviewing), or the next one still
    unanswered; after the last, the final check."""
    keys = interview_keys(kind, case.answers)
    for number in range(step + 1, len(keys) + 1):
        if review or case.answers.get(keys[number - 1]) in (None, "", []):
            return _step_redirect(case.pk, kind, number, review)
    return redirect("consumer:interview_check", pk=case.pk, kind=kind)


@workspace
@require_http_methods(["GET", "POST"])
def interview_check(request: HttpRequest, owner: Any, pk: int, kind: str) -> HttpResponse:
    """What is missing or weak, before the letter is drafted; drafting keeps it."""
    case = selectors.case_get(owner, pk)
    spec = _spec_or_404(case, kind)
    today = _today(case)
    keys = interview_keys(kind, case.answers)
    missing: list[dict[str, Any]] = []
    invalid: list[dict[str, Any]] = []
    findings: list[Any] = []
    preview = ""
    warnings: list[str] = []
    problem = ""
    request_ = selectors.letter_request(case, kind, today=today, formats=("md", "txt"))
    try:
        prepared = prepare(request_)
        rendered = letter_render(prepared)
    except MissingFields as exc:
        missing = [_step_link(case, kind, keys, m.field.key, m.why) for m in exc.missing]
    except InvalidFields as exc:
        invalid = [_step_link(case, kind, keys, k, v) for k, v in sorted(exc.errors.items())]
    except DomainError as exc:
        problem = exc.message
    else:
        preview = rendered.outputs["txt"].decode()
        findings = letter_check(rendered.outputs["md"].decode(), kind)
        warnings = rendered.warnings
    if request.method == "POST" and not (missing or invalid or problem):
        try:
            letter = services.letter_draft(case=case, kind=kind, today=today, now=timezone.now())
        except DomainError as exc:
            problem = exc.message
        else:
            return redirect("consumer:letter", pk=pk, lid=letter.pk)
    optional_empty = [
        _step_link(case, kind, keys, k, "")
        for k in keys
        if k not in required_keys(kind, case.answers) and case.answers.get(k) in (None, "", [])
    ]
    return render(
        request,
        "consumer/check.html",
        {
            "case": case,
            "spec": spec,
            "missing": missing,
            "invalid": invalid,
            "findings": findings,
            "warnings": warnings,
            "preview": preview,
            "problem": problem,
            "optional_empty": optional_empty,
            "total": len(keys),
            "contacts": case.contacts.count(),
            "evidence": case.evidence.count(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _step_link(
    case: ConsumerCase, kind: str, keys: list[str], key: str, why: str
) -> dict[str, Any]:
    url = ""
    if key in keys:
        url = reverse("consumer:interview", args=[case.pk, kind, keys.index(key) + 1])
    elif key.startswith("contacts"):
        url = reverse("consumer:case", args=[case.pk]) + "#contacts"
    label = question_for(key).ask if "." in key and not key.startswith("contacts") else key
    return {"key": key, "label": label, "why": why, "url": url}


# ---------------------------------------------------------------- letters


@workspace
@require_safe
def letter_page(request: HttpRequest, owner: Any, pk: int, lid: int) -> HttpResponse:
    case = selectors.case_get(owner, pk)
    letter = selectors.letter_get(case, lid)
    return render(request, "consumer/letter.html", _letter_context(case, letter))


def _letter_context(case: ConsumerCase, letter: Any, form: Any = None) -> dict[str, Any]:
    today = _today(case)
    business_email = str(case.answers.get("business.email") or "")
    mailto = ""
    if business_email:
        mailto = f"mailto:{quote(business_email)}?subject={quote(letter.subject)}"
    dates = [
        {
            "name": DATE_NAMES.get(name, name.replace("_", " ")),
            "day": date.fromisoformat(d["day"]),
            "words": day_words(date.fromisoformat(d["day"]), _us(case)),
            "basis": d["basis"],
            "citation": d.get("citation", ""),
        }
        for name, d in sorted(letter.dates.items())
    ]
    return {
        "case": case,
        "letter": letter,
        "dates": dates,
        "mailto": mailto,
        "form": form or forms.SentForm(initial={"sent_on": today}),
        "findings": letter_check(letter.md, letter.kind),
    }


@workspace
@require_POST
def letter_sent(request: HttpRequest, owner: Any, pk: int, lid: int) -> HttpResponse:
    case = selectors.case_get(owner, pk)
    letter = selectors.letter_get(case, lid)
    form = forms.SentForm(request.POST)
    if form.is_valid():
        try:
            services.letter_sent_record(
                letter=letter, today=_today(case), now=timezone.now(), **form.cleaned_data
            )
        except FieldErrors as exc:
            _field_errors(form, exc.errors)
        else:
            return redirect("consumer:case", pk=pk)
    return render(request, "consumer/letter.html", _letter_context(case, letter, form), status=400)


_FILE_TYPES = {"md", "txt", "pdf", "docx", "eml"}


@workspace
@require_safe
def letter_file(request: HttpRequest, owner: Any, pk: int, lid: int, fmt: str) -> HttpResponse:
    case = selectors.case_get(owner, pk)
    letter = selectors.letter_get(case, lid)
    if fmt not in _FILE_TYPES:
        return HttpResponse("No such format.", status=404, content_type="text/plain")
    data = str(getattr(letter, fmt)).encode() if fmt in {"md", "txt"} else getattr(letter, fmt)
    if not data:
        return HttpResponse(
            "There is no e-mail draft: give your and the business's e-mail addresses, then "
            "draft the letter again.",
            status=404,
            content_type="text/plain",
        )
    response = HttpResponse(bytes(data), content_type=MEDIA_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="{letter.kind}-{letter.letter_date.isoformat()}.{fmt}"'
    )
    return response


@workspace
@require_safe
def letter_cover(request: HttpRequest, owner: Any, pk: int, lid: int) -> HttpResponse:
    case = selectors.case_get(owner, pk)
    letter = selectors.letter_get(case, lid)
    values = letter.fields
    sender = [
        str(values.get("customer.name") or ""),
        *str(values.get("customer.address") or "").splitlines(),
    ]
    if letter.kind == "us-fcba-billing-error":
        addressee = str(values.get("letter.billing_address") or "").splitlines()
    else:
        addressee = [
            str(values.get("business.name") or ""),
            *str(values.get("business.address") or "").splitlines(),
        ]
    arrive = letter.dates.get("must_arrive_by")
    html = cover_sheet_html(
        title=letter.title,
        letter_date=letter.letter_date,
        sender=[line for line in sender if line.strip()],
        addressee=[line for line in addressee if line.strip()],
        must_arrive_by=date.fromisoformat(arrive["day"]) if arrive else None,
        sha256=letter.sha256.get("pdf", ""),
        us=_us(case),
    )
    response = HttpResponse(
        pdf_from_html(html, (PACKAGE_TEMPLATES,)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="cover-{letter.kind}.pdf"'
    return response


# ---------------------------------------------------------------- hosted: sign-in by link


@workspace
@require_POST
def reminders_setting(request: HttpRequest, owner: Any) -> HttpResponse:
    """Turn the account's reminder e-mails on or off (hosted only)."""
    _hosted_only()
    form = forms.RemindersForm(request.POST)
    if form.is_valid():
        reminders.reminders_set(user=owner, on=form.cleaned_data["reminders"] == "on")
    return redirect(reverse("consumer:home") + "#reminders")


def _hosted_only() -> None:
    if settings.CONSUMER_LOCAL:
        raise Http404("The local workspace has no accounts.")


@require_http_methods(["GET", "POST"])
@public_post
def sign_in(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link by e-mail."""
    _hosted_only()
    form = forms.SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signin.signin_request(
                email=form.cleaned_data["email"],
                link_base=request.build_absolute_uri(reverse("consumer:sign_in")),
                now=timezone.now(),
            )
        except FieldErrors as exc:
            _field_errors(form, exc.errors)
        else:
            return render(request, "consumer/sign_in_sent.html", {})
    return render(
        request, "consumer/sign_in.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@public_post
def sign_in_link(request: HttpRequest, uid: str, code: str) -> HttpResponse:
    """The link from the e-mail: a button signs in (so a mail scanner that opens links
    does not use it up)."""
    _hosted_only()
    try:
        user = signin.signin_check(uid=uid, token=code)
    except DomainError as exc:
        return render(request, "consumer/sign_in.html", {"form": forms.SignInForm(),
                      "problem": exc.message}, status=400)  # fmt: skip
    if request.method == "POST":
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("consumer:home")
    return render(request, "consumer/sign_in_confirm.html", {"email": user.email})
