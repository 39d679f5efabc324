"""Filling a letter: check the record, compute its dates, render the template, convert.

Customer text is data, never template code. Templates are rendered in Jinja2's
`SandboxedEnvironment` with `StrictUndefined` (a template that names a field that does
not exist fails loudly); the record's values are only ever *values* of the context, so
``{{ 7*7 }}`` or ``{% include %}`` typed into a narrative is printed as typed. In the
Markdown every value is escaped so it cannot become Markdown structure, and the HTML
wrapper is rendered with autoescaping on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    pass_context,
)
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from plaint.domain.deadlines.model import Verification
from plaint.domain.errors import DomainError
from plaint.domain.letters import formats
from plaint.domain.letters.catalogue import LetterSpec, Side, letter_spec
from plaint.domain.letters.contacts import (
    ContactLine,
    ContactSummary,
    contacts_normalise,
    contacts_summarise,
)
from plaint.domain.letters.fields import (
    ALL_FIELDS,
    EVIDENCE_KEYS,
    InvalidFields,
    Missing,
    MissingFields,
    coerce,
    parse_zone,
    plain,
)
from plaint.domain.letters.fragments import (
    ANNEX_3R,
    PLACEHOLDER_OPEN,
    RequiredText,
    required_text_parse,
)
from plaint.domain.letters.schedule import (
    DeadlineInfo,
    LetterDate,
    derive_deadlines,
    letter_dates,
    past_dates,
    period_words,
)

PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMATS = ("md", "txt", "html", "pdf", "docx", "eml")
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "eml": "message/rfc822",
}
MAX_KEY_EVIDENCE = 5
NOT_LEGAL_ADVICE = (
    "Prepared with Plaint from the sender's own records. The law cited is summarised, not "
    "legal advice."
)


class TemplateProblem(DomainError):
    """A template (the package's or an organisation's override) is broken."""


# ---------------------------------------------------------------- escaping

# Only what Markdown would read as markup is escaped, so the .md file shows no stray
# backslashes: a backslash before punctuation, code and emphasis marks (an underscore
# inside a word, as in an e-mail address, is not emphasis), a table's cell bar and an
# ampersand that would start an entity (&amp;). Raw HTML, links and images are off.
_MD_PUNCT = re.compile(
    r"(\\(?=[!-/:-@\[-`{-~])|[`*|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|&(?=#?[A-Za-z0-9]+;))"
)
# What Markdown reads at the start of a line: list markers, numbered items, headings,
# quotes, underlines.
_LINE_START = re.compile(
    r"^(?:[-+](?=\s|$)|\d+(?=[.)](?:\s|$))|#{1,6}(?=\s|$)|>|[=-]+(?=\s*$))", re.MULTILINE
)


def markdown_escape(value: Any) -> str:
    """A value as Markdown that displays exactly as typed: punctuation that Markdown
    would read is backslash-escaped, and no line can start a list, quote or heading."""
    if value is None:
        return ""
    text = str(value)
    text = _MD_PUNCT.sub(r"\\\1", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return _LINE_START.sub(_escape_start, text)


def _escape_start(match: re.Match[str]) -> str:
    marker = match.group(0)
    return marker + "\\" if marker.isdigit() else "\\" + marker


class _PlainTextLoader(BaseLoader):
    """The same templates with their Markdown markup taken out, for the plain-text letter:
    ``**`` around headings, the ``*...*`` of a whole italic line and a table's ``|---|``
    row. Only the template's own text changes; the record's values are printed as typed."""

    _ITALIC_LINE = re.compile(r"^\*(?!\*)(.*[^*])\*$", re.MULTILINE)
    _TABLE_RULE = re.compile(r"^\|(?:-+\|)+\n", re.MULTILINE)

    def __init__(self, inner: BaseLoader) -> None:
        self.inner = inner

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Any]:
        source, filename, uptodate = self.inner.get_source(environment, template)
        # `**` right after a tag keeps the line break that trim_blocks would take with it.
        source = source.replace("%}**", '%}{{ "" }}').replace("**", "")
        source = self._TABLE_RULE.sub("", source)
        return self._ITALIC_LINE.sub(r"\1", source), filename, uptodate


def _plain_finalize(value: Any) -> Any:
    return "" if value is None else value


def _cell(value: Any) -> str:
    """Text for a table cell: on one line."""
    return " ".join(str(value or "").split())


# ---------------------------------------------------------------- environments


@pass_context
def _date(ctx: Any, day: Any) -> str:
    """A date as the letter's country writes it: 2 March 2026, or March 2, 2026."""
    if day is None:
        return ""
    if isinstance(day, LetterDate):
        day = day.day
    if isinstance(day, datetime):
        day = day.astimezone(ctx["zone"]).date()
    if str(ctx["jurisdiction"]).startswith("US"):
        return f"{day:%B} {day.day}, {day.year}"
    return f"{day.day} {day:%B %Y}"


@pass_context
def _datetime(ctx: Any, moment: datetime) -> str:
    local = moment.astimezone(ctx["zone"])
    if str(ctx["jurisdiction"]).startswith("US"):
        return f"{local:%b} {local.day}, {local.year} {local:%I:%M %p}".replace(" 0", " ")
    return f"{local.day} {local:%b %Y %H:%M}"


_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€"}


def _money(amount: Any, currency: Any = "") -> str:
    if amount is None:
        return ""
    value = Decimal(str(amount))
    code = str(currency or "").upper()
    text = f"{value:,.2f}"
    return f"{_SYMBOLS[code]}{text}" if code in _SYMBOLS else f"{text} {code}".strip()


@dataclass(frozen=True)
class Environments:
    md: SandboxedEnvironment
    txt: SandboxedEnvironment
    html: SandboxedEnvironment
    dirs: tuple[Path, ...]


@cache
def environments(override_dir: Path | None = None) -> Environments:
    dirs = tuple(d for d in (override_dir, PACKAGE_TEMPLATES) if d is not None)
    loader = ChoiceLoader([FileSystemLoader(str(d)) for d in dirs])
    common: dict[str, Any] = {
        "undefined": StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
        "auto_reload": True,
    }
    md = SandboxedEnvironment(autoescape=False, finalize=markdown_escape, loader=loader, **common)
    txt = SandboxedEnvironment(
        autoescape=False, finalize=_plain_finalize, loader=_PlainTextLoader(loader), **common
    )
    html = SandboxedEnvironment(autoescape=True, finalize=_plain_finalize, loader=loader, **common)
    for env in (md, txt, html):
        env.filters["money"] = _money
        env.filters["cell"] = _cell
        env.filters["d"] = _date
        env.filters["dt"] = _datetime
    return Environments(md, txt, html, dirs)


def template_digest(envs: Environments, names: Iterable[str]) -> str:
    """SHA-256 over the sources of the templates a letter uses (overrides included)."""
    digest = hashlib.sha256()
    for name in sorted(set(names)):
        try:
            source, _, _ = envs.md.loader.get_source(envs.md, name)  # type: ignore[union-attr]
        except TemplateError:
            continue
        digest.update(name.encode() + b"\0" + source.encode() + b"\0")
    return digest.hexdigest()


def overridden(envs: Environments, name: str) -> bool:
    return len(envs.dirs) > 1 and (envs.dirs[0] / name).is_file()


# ---------------------------------------------------------------- preparing


@dataclass(frozen=True)
class LetterRequest:
    """Everything a letter is filled from. `values` holds dotted keys (customer.name,
    letter.issue_type...) with raw values; `contacts` and `evidence` are lists of
    mappings. `deadlines` come from the desk; without them they are derived from the
    case's regime and received date."""

    kind: str
    values: Mapping[str, Any]
    today: date
    contacts: Sequence[Mapping[str, Any]] = ()
    evidence: Sequence[Mapping[str, Any]] = ()
    jurisdiction: str = ""
    time_zone: str = "UTC"
    holiday_calendar: str = "GB-ENG"
    deadlines: Sequence[DeadlineInfo] | None = None
    page_size: str = ""  # "": US Letter for US letters, A4 otherwise
    formats: tuple[str, ...] = ("md", "html")


@dataclass(frozen=True)
class PreparedLetter:
    spec: LetterSpec
    request: LetterRequest
    values: dict[str, Any]
    contacts: list[ContactLine]
    summary: ContactSummary
    evidence: list[dict[str, str]]
    dates: dict[str, LetterDate]
    jurisdiction: str
    warnings: list[str]
    page_size: str = "A4"

    def field_values(self) -> dict[str, Any]:
        """The values used, as JSON data: what the ledger keeps to reproduce the letter."""
        data: dict[str, Any] = {
            k: plain(v) for k, v in sorted(self.values.items()) if v not in (None, [])
        }
        data["contacts"] = [
            {
                "at": c.at.isoformat(),
                "channel": c.channel,
                "direction": c.direction,
                "representative": c.representative,
                "ticket_number": c.ticket_number,
                "wait_minutes": c.wait_minutes,
                "summary": c.summary,
            }
            for c in self.contacts
        ]
        data["evidence"] = list(self.evidence)
        data["_letter"] = {
            "today": self.request.today.isoformat(),
            "jurisdiction": self.jurisdiction,
            "time_zone": self.request.time_zone,
            "holiday_calendar": self.request.holiday_calendar,
            "page_size": self.page_size,
            "dates": {k: v.day.isoformat() for k, v in sorted(self.dates.items())},
            "deadlines": [
                [d.key, d.title, d.due.isoformat() if d.due else None]
                for d in self.request.deadlines or ()
            ],
            "given_deadlines": self.request.deadlines is not None,
        }
        return data


def _jurisdiction(spec: LetterSpec, request: LetterRequest) -> str:
    if spec.jurisdiction != "ANY":
        return spec.jurisdiction
    return (request.jurisdiction or "GB").upper()


def letter_prepare(request: LetterRequest) -> PreparedLetter:
    """Check and type the record for the letter. Raises UnknownLetter, MissingFields
    (every missing required field, with where to supply it) or InvalidFields."""
    spec = letter_spec(request.kind)
    errors: dict[str, str] = {}
    unknown = sorted(set(request.values) - set(ALL_FIELDS))
    for key in unknown:
        errors[key] = "is not a field Plaint knows (`plaint letter fields KIND` lists them)"
    values: dict[str, Any] = {}
    for key, definition in ALL_FIELDS.items():
        try:
            values[key] = coerce(definition, request.values.get(key))
        except ValueError as exc:
            errors[key] = str(exc)
            values[key] = None
    if request.page_size and request.page_size not in formats.PAGE_SIZES:
        errors["page_size"] = f"is A4 or Letter, not {request.page_size!r}"
    bad_formats = [f for f in request.formats if f not in FORMATS]
    if bad_formats:
        errors["format"] = f"{', '.join(bad_formats)}: formats are {', '.join(FORMATS)}"
    try:
        zone = parse_zone(request.time_zone)
    except ValueError as exc:
        errors["time_zone"] = str(exc)
        zone = parse_zone("UTC")

    wanted = [(k, "") for k in spec.required]
    wanted += spec.conditional(values)
    if "eml" in request.formats:
        sender, to = (
            ("business", "customer") if spec.side is Side.BUSINESS else ("customer", "business")
        )
        wanted += [
            (f"{sender}.email", "the e-mail is sent from it"),
            (f"{to}.email", "the e-mail is sent to it"),
        ]
    if errors:  # a value given but wrong is said first, not hidden behind what is missing
        raise InvalidFields(errors)
    missing, seen = [], set()
    for key, why in wanted:
        if key not in seen and values.get(key) in (None, "", []) and key not in errors:
            missing.append(Missing(ALL_FIELDS[key], why))
        seen.add(key)
    if missing:
        raise MissingFields(spec.title.lower(), missing)
    contacts = contacts_normalise(request.contacts, zone, errors)
    evidence: list[dict[str, str]] = []
    for i, item in enumerate(request.evidence):
        if not isinstance(item, Mapping) or set(item) - EVIDENCE_KEYS:
            errors[f"evidence[{i + 1}]"] = "each item has a description (and optionally a filename)"
            continue
        description = str(item.get("description") or item.get("filename") or "").strip()
        if description:
            evidence.append(
                {"description": description, "filename": str(item.get("filename") or "")}
            )
    if spec.id == "final-response":
        _outcome_matches_findings(values, errors)
    if errors:
        raise InvalidFields(errors)

    jurisdiction = _jurisdiction(spec, request)
    us = jurisdiction.startswith("US")
    deadlines = request.deadlines
    if deadlines is None and spec.id in {"acknowledgement", "holding-response"}:
        received = values.get("case.received_on")
        deadlines = (
            derive_deadlines(
                regime=str(values.get("case.regime") or ""),
                received=received,
                zone=zone,
                holiday_calendar=request.holiday_calendar,
            )
            if received
            else []
        )
    dates = letter_dates(
        spec.id,
        values,
        today=request.today,
        zone=zone,
        holiday_calendar=request.holiday_calendar,
        deadlines=deadlines or (),
        us=us,
    )
    warnings = _warnings(spec, values, evidence)
    return PreparedLetter(
        spec=spec,
        request=request,
        values=values,
        contacts=contacts,
        summary=contacts_summarise(contacts),
        evidence=evidence,
        dates=dates,
        jurisdiction=jurisdiction,
        warnings=warnings,
        page_size=request.page_size or ("Letter" if us else "A4"),
    )


#: Words in a final response's findings that admit the business was at fault.
_ADMITS_FAULT = re.compile(
    r"\b(?:we should (?:have|not have)|we shouldn't have|(?:added|charged|taken|applied|sent|"
    r"recorded|made) in error|by mistake|our (?:mistake|error|fault)|we made (?:a|an) "
    r"(?:mistake|error)|we (?:got|had) (?:this|it) wrong|we were wrong|we failed to|"
    r"wrongly)\b",
    re.IGNORECASE,
)
_OUTCOME_WORDS = {
    "offer": "“we do not agree that we got this wrong”",
    "reject": "“we do not uphold your complaint”",
}


def _outcome_matches_findings(values: Mapping[str, Any], errors: dict[str, str]) -> None:
    """A final response may not deny fault that its own findings admit."""
    outcome = values.get("letter.outcome")
    found = _ADMITS_FAULT.search(str(values.get("letter.findings") or ""))
    if outcome in _OUTCOME_WORDS and found:
        errors["letter.outcome"] = (
            f"is {outcome}, so the letter would say {_OUTCOME_WORDS[outcome]}, but the "
            f"findings say “{found.group(0)}”: choose accept (we uphold your complaint), or "
            "reword the findings"
        )


def past_date_warnings(prepared: PreparedLetter, today: date) -> list[str]:
    """Warnings for a letter written on `today` but dated earlier (the caller reads the
    clock; the domain does not)."""
    return past_dates(
        prepared.dates,
        dated=prepared.request.today,
        today=today,
        us=prepared.jurisdiction.startswith("US"),
    )


def _warnings(
    spec: LetterSpec, values: Mapping[str, Any], evidence: list[dict[str, str]]
) -> list[str]:
    out = []
    # The Annex 3R source is reported with its fragments, only where they are used.
    weak = [
        s
        for s in spec.sources
        if s.verification is Verification.UNVERIFIED and "Annex 3R" not in s.citation
    ]
    for source in weak:
        out.append(f"Unverified source: {source.citation}. {source.note}".strip())
    if spec.id == "cease-and-desist" and len(evidence) > MAX_KEY_EVIDENCE:
        out.append(
            f"{len(evidence)} items of evidence are listed: focus on the key evidence (about "
            f"{MAX_KEY_EVIDENCE} at most) so the letter stays readable."
        )
    return out


# ---------------------------------------------------------------- rendering


@dataclass(frozen=True)
class RenderedLetter:
    spec: LetterSpec
    prepared: PreparedLetter
    subject: str
    outputs: dict[str, bytes]
    template_version: str
    template_sha256: str
    warnings: list[str] = field(default_factory=list)
    incomplete: bool = False  # holds a TO COMPLETE placeholder (wording Plaint lacks)

    @property
    def filename_stem(self) -> str:
        ref = str(self.prepared.values.get("case.reference") or self.prepared.request.today)
        return re.sub(r"[^A-Za-z0-9._-]+", "-", f"{self.spec.id}-{ref}").strip("-")

    def sha256(self) -> dict[str, str]:
        return {fmt: hashlib.sha256(data).hexdigest() for fmt, data in self.outputs.items()}


def _party(values: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {
        key.split(".", 1)[1]: value for key, value in values.items() if key.startswith(prefix + ".")
    }


#: Fields printed in headers, address blocks and the signature: always on one line.
SINGLE_LINE = frozenset(
    {
        "customer.name",
        "customer.honorific",
        "customer.email",
        "customer.phone",
        "business.name",
        "business.contact_name",
        "business.contact_title",
        "business.contact_honorific",
        "business.department",
        "business.email",
        "business.phone",
        "case.reference",
        "case.order_number",
        "case.account_number",
        "handler.name",
        "handler.role",
    }
)
_COURTESY = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof"})
FOS_LEAFLET = "The Financial Ombudsman Service's standard explanatory leaflet"


def _courtesy(honorific: Any, name: Any, us: bool) -> str:
    """'Mr Price' (or 'Mr. Price' in a US letter) from a title and a full name; the full
    name when there is no title."""
    full = _one_line(name)
    title = _one_line(honorific).rstrip(".")
    if not title or not full:
        return full
    if us and title.lower() in _COURTESY:
        title += "."
    return f"{title} {full.split()[-1]}"


def _one_line(value: Any) -> str:
    """A single-line field (a name, a title) on one line, whatever it holds."""
    return " ".join(str(value or "").split())


def _block(lines: list[str]) -> dict[str, Any]:
    """An address block given as lines, the first of which is the name."""
    return {
        "name": lines[0] if lines else "",
        "attention": "",
        "title": "",
        "department": "",
        "lines": lines[1:],
        "email": "",
        "phone": "",
        "dear": "",
    }


def _context(p: PreparedLetter, envs: Environments) -> tuple[dict[str, Any], list[str]]:
    v = {
        k: (_one_line(x) if k in SINGLE_LINE and x is not None else x) for k, x in p.values.items()
    }
    us = p.jurisdiction.startswith("US")
    groups = {
        name: _party(v, name) for name in ("customer", "business", "case", "handler", "letter")
    }
    customer, business = groups["customer"], groups["business"]
    customer_block = {
        "name": _one_line(customer["name"]),
        "attention": "",
        "title": "",
        "department": "",
        "lines": _lines(customer["address"]),
        "email": _one_line(customer["email"]),
        "phone": _one_line(customer["phone"]),
        "dear": _courtesy(customer["honorific"], customer["name"], us),
    }
    attention = _one_line(business["contact_name"])
    business_block = {
        "name": _one_line(business["name"]),
        "attention": attention,
        "title": _one_line(business["contact_title"]),
        "department": _one_line(business["department"]),
        "lines": _lines(business["address"]),
        "email": _one_line(business["email"]),
        "phone": _one_line(business["phone"]),
        "dear": _courtesy(business["contact_honorific"], attention, us) if attention else "",
    }
    side = p.spec.side
    if side is Side.EITHER:
        side = Side.BUSINESS if v.get("letter.debt_claim") else Side.CUSTOMER
    sender, addressee = (
        (business_block, customer_block)
        if side is Side.BUSINESS
        else (customer_block, business_block)
    )
    if p.spec.id == "us-fcba-billing-error":
        # The notice goes to the card issuer's billing-error address, not to the merchant.
        addressee = _block(_lines(v.get("letter.billing_address")))
    elif p.spec.id == "cease-and-desist-reply":
        addressee = _block(_lines(v.get("letter.their_sender")))
    dear = addressee["dear"] or "Sir or Madam"
    salutation = f"Dear {dear}{':' if us else ','}"
    closing = (
        "Sincerely,"
        if us
        else ("Yours faithfully," if dear == "Sir or Madam" else "Yours sincerely,")
    )
    fca = v.get("case.regime") in {"UK-FCA-DISP", "UK-FCA-PSD"}
    fragments: dict[str, Any] = {}
    required: dict[str, RequiredText] = {}
    used = [f"{p.spec.id}.md", "_layout.md", "_contacts.md", "letter.html", "letter.css"]
    if fca and p.spec.side is Side.BUSINESS:
        used.append("fragments/fos-contact.md")
    fragment_key = v.get("letter.fos_time_limit_case")
    if fragment_key and fca and p.spec.id == "final-response":
        fragment = ANNEX_3R.fragments[fragment_key]
        required["annex3r"] = _required_text(envs, fragment.template, fragment.case)
        fragments["annex3r"] = fragment.template
        used.append(fragment.template)
    enclosures: list[str] = []
    if fca and (
        p.spec.id == "final-response"
        or (p.spec.id == "holding-response" and v.get("letter.fos_referral_now"))
    ):
        enclosures.append(FOS_LEAFLET)
    ctx: dict[str, Any] = {
        **groups,
        "contacts": p.contacts,
        "summary": p.summary,
        "evidence": p.evidence,
        "enclosures": enclosures,
        "dates": p.dates,
        "today": p.request.today,
        "spec": p.spec,
        "side": side.value,
        "sender": sender,
        "addressee": addressee,
        "salutation": salutation,
        "closing": closing,
        "jurisdiction": p.jurisdiction,
        "fragments": fragments,
        "required": required,
        "not_legal_advice": NOT_LEGAL_ADVICE,
        "period": period_words,
        "zone": parse_zone(p.request.time_zone),
    }
    return ctx, used


def _required_text(envs: Environments, name: str, case: str) -> RequiredText:
    """The required wording in `name` (the organisation's copy first). Wording Plaint does
    not hold is refused, never invented."""
    try:
        source, _, _ = envs.md.loader.get_source(envs.md, name)  # type: ignore[union-attr]
    except TemplateNotFound:
        raise InvalidFields(
            {
                "letter.fos_time_limit_case": (
                    f"needs the {ANNEX_3R.name} paragraph for this case ({case[0].lower()}"
                    f"{case[1:]}), and Plaint does not yet hold verified wording for it. Put "
                    f"the checked wording in your templates folder as {name}, or choose "
                    "no_waiver_six_months if the firm does not consent to waive the "
                    "six-month limit"
                )
            }
        ) from None
    return required_text_parse(source, name)


def _lines(text: Any) -> list[str]:
    return [part.strip() for part in str(text or "").split("\n") if part.strip()]


def _render(env: SandboxedEnvironment, name: str, ctx: Mapping[str, Any]) -> str:
    try:
        return env.get_template(name).render(ctx)
    except TemplateError as exc:
        raise TemplateProblem(f"Template {name} could not be rendered: {exc}") from exc


def _subject(env: SandboxedEnvironment, name: str, ctx: Mapping[str, Any]) -> str:
    template = env.get_template(name)
    block = template.blocks.get("subject")
    if block is None:
        return ""
    return " ".join("".join(block(template.new_context(dict(ctx)))).split())


def letter_render(prepared: PreparedLetter, *, override_dir: Path | None = None) -> RenderedLetter:
    """Every requested format of the prepared letter. Markdown and HTML are the same bytes
    for the same inputs and templates."""
    envs = environments(override_dir)
    ctx, used = _context(prepared, envs)
    name = f"{prepared.spec.id}.md"
    wanted = set(prepared.request.formats)
    outputs: dict[str, bytes] = {}
    md_text = _render(envs.md, name, ctx)
    subject = _subject(envs.txt, name, ctx)
    incomplete = PLACEHOLDER_OPEN in md_text
    html_text = ""
    if wanted & {"html", "pdf", "eml"}:
        css = envs.html.loader.get_source(envs.html, "letter.css")[0]  # type: ignore[union-attr]
        html_text = _render(
            envs.html,
            "letter.html",
            {
                # markdown-it runs with raw HTML off and every record value escaped, so
                # its output is safe markup; the CSS is a template file, not user data.
                "body": Markup(formats.markdown_to_html(md_text)),  # noqa: S704
                "css": Markup(css.replace("</", "<\\/")),  # noqa: S704
                "title": subject or prepared.spec.title,
                "page_size": prepared.page_size,
                "footer": NOT_LEGAL_ADVICE if prepared.spec.cites_law else "",
                "lang": "en-US" if prepared.jurisdiction.startswith("US") else "en-GB",
                "spec": prepared.spec,
                "sender": ctx["sender"],
            },
        )
    txt_text = _render(envs.txt, name, ctx) if wanted & {"txt", "eml"} else ""
    if "md" in wanted:
        outputs["md"] = md_text.encode()
    if "txt" in wanted:
        outputs["txt"] = txt_text.encode()
    if "html" in wanted:
        outputs["html"] = html_text.encode()
    pdf = b""
    if wanted & {"pdf", "eml"}:
        pdf = formats.pdf_from_html(html_text, envs.dirs)
        if "pdf" in wanted:
            outputs["pdf"] = pdf
    if "docx" in wanted:
        outputs["docx"] = formats.docx_from_markdown(
            md_text,
            page_size=prepared.page_size,
            title=subject or prepared.spec.title,
            author=str(ctx["sender"]["name"]),
            today=prepared.request.today,
        )
    warnings = list(prepared.warnings)
    if "annex3r" in ctx["fragments"]:
        if overridden(envs, ctx["fragments"]["annex3r"]):
            warnings.append(f"{ANNEX_3R.name} wording supplied by the organisation's templates.")
        elif ctx["required"]["annex3r"].verification != "primary":
            text = ctx["required"]["annex3r"]
            warnings.append(
                f"{ANNEX_3R.name} wording: {text.verification or 'unverified'} source, last "
                f"verified {text.last_verified.isoformat()}. {text.note}".strip()
            )
    if incomplete:
        warnings.append(
            "The letter contains a 'TO COMPLETE BEFORE SENDING' passage: add the wording before "
            "it is sent."
        )
    stem = RenderedLetter(prepared.spec, prepared, subject, {}, "", "").filename_stem
    if "eml" in wanted:
        sender, addressee = ctx["sender"], ctx["addressee"]
        # A letter to an address block (a card issuer's billing address, a solicitor) is
        # e-mailed to the other party's address that letter_prepare required.
        other = ctx["customer"] if ctx["side"] == Side.BUSINESS.value else ctx["business"]
        outputs["eml"] = formats.eml_build(
            sender=(str(sender["name"]), str(sender["email"])),
            to=(str(addressee["name"]), str(addressee["email"] or other["email"] or "")),
            subject=subject or prepared.spec.title,
            text=txt_text,
            html=html_text,
            pdf=pdf,
            pdf_name=f"{stem}.pdf",
            today=prepared.request.today,
            zone=ctx["zone"],
        )
    version = prepared.spec.version + ("+org" if overridden(envs, name) else "")
    return RenderedLetter(
        spec=prepared.spec,
        prepared=prepared,
        subject=subject,
        outputs={fmt: outputs[fmt] for fmt in FORMATS if fmt in outputs},
        template_version=version,
        template_sha256=template_digest(envs, used),
        warnings=warnings,
        incomplete=incomplete,
    )


def request_from_fields(
    kind: str, fields: Mapping[str, Any], formats: tuple[str, ...]
) -> LetterRequest:
    """The request that reproduces a letter from the values a `letter_generated` event
    kept (see `PreparedLetter.field_values`)."""
    meta = fields["_letter"]
    values = {k: v for k, v in fields.items() if k not in {"_letter", "contacts", "evidence"}}
    deadlines = (
        [
            DeadlineInfo(key, title, date.fromisoformat(due) if due else None)
            for key, title, due in meta["deadlines"]
        ]
        if meta.get("given_deadlines")
        else None
    )
    return LetterRequest(
        kind=kind,
        values=values,
        today=date.fromisoformat(meta["today"]),
        contacts=fields.get("contacts", []),
        evidence=fields.get("evidence", []),
        jurisdiction=meta["jurisdiction"],
        time_zone=meta["time_zone"],
        holiday_calendar=meta["holiday_calendar"],
        deadlines=deadlines,
        page_size=meta["page_size"],
        formats=formats,
    )


def letter_make(request: LetterRequest, *, override_dir: Path | None = None) -> RenderedLetter:
    return letter_render(letter_prepare(request), override_dir=override_dir)
