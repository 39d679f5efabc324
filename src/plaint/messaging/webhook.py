"""Mail in from hosted mail services: django-anymail's normalised inbound webhooks for
Mailgun (its route's *forward* action) and Postmark (its inbound stream), feeding the one
inbound service, `messaging.inbound.message_receive`, exactly as IMAP polling and
`plaint mail import` do.

Anymail checks the request: HTTP basic authentication against `ANYMAIL["WEBHOOK_SECRET"]`
(`PLAINT_MAIL_WEBHOOK_SECRET`) and, for Mailgun, the HMAC-SHA256 signature of timestamp
and token under `ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"]`. Anymail would then send its
`inbound` signal; Plaint has no signals, so these views call the service themselves.

The raw message is the service's evidence: the raw MIME the service posted when it posts
one (Mailgun's `body-mime`, Postmark's `RawEmail`), otherwise the message anymail put
together from the service's parsed fields. A request over `MAIL_WEBHOOK_MAX_BYTES` is
refused (413) before it is read; a refused check is 403 and writes nothing; a payload that
is not the service's inbound format is 400. None answers 500."""

from __future__ import annotations

import json
import logging
from datetime import UTC
from email.message import Message as MimeMessage
from email.parser import BytesParser
from typing import TYPE_CHECKING, Any, ClassVar

from anymail.exceptions import AnymailError, AnymailWebhookValidationFailure
from anymail.signals import AnymailInboundEvent
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from plaint.messaging.inbound import message_receive
from plaint.messaging.selectors import organisation_for_mail

log = logging.getLogger("plaint.security")

#: The largest request body read (a 25 MB message grows in JSON or form encoding).
MAX_BYTES = 36 * 1024 * 1024


def _max_bytes() -> int:
    return int(getattr(settings, "MAIL_WEBHOOK_MAX_BYTES", MAX_BYTES))


def _problem(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"status": status, "detail": detail}, status=status)


def _refusal_log(request: HttpRequest, *, esp: str, slug: str, reason: str) -> None:
    fields = {
        "event": "mail_webhook",
        "outcome": "refused",
        "esp": esp,
        "organisation": slug[:80],
        "address": request.META.get("REMOTE_ADDR", ""),
        "reason": reason[:200],
        "at": timezone.now().astimezone(UTC).isoformat(),
    }
    log.warning("mail_webhook %s", json.dumps(fields, ensure_ascii=True, sort_keys=True))


def _form_read(body: bytes, content_type: str) -> tuple[QueryDict, MultiValueDict[str, Any]]:
    """A multipart/form-data body as Django's POST and FILES. Read with the standard
    library's MIME parser because Django's holds every non-file field to
    DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), and Mailgun posts the raw message as a field;
    the size that matters here was checked against MAIL_WEBHOOK_MAX_BYTES already."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    parsed = BytesParser().parsebytes(head + body)
    if not parsed.is_multipart():
        raise ValueError("the form has no parts")
    post = QueryDict(mutable=True)
    files: MultiValueDict[str, Any] = MultiValueDict()
    parts = parsed.get_payload()
    if not isinstance(parts, list) or len(parts) > settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:
        raise ValueError("the form has no parts, or too many")
    for part in parts:
        if not isinstance(part, MimeMessage):
            continue
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        data = part.get_payload(decode=True)
        data = data if isinstance(data, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files.appendlist(name, SimpleUploadedFile(filename, data, part.get_content_type()))
        else:
            post.appendlist(name, data.decode(part.get_content_charset() or "utf-8", "replace"))
    post._mutable = False
    return post, files


class _InboundWebhook:
    """What both services' views share: size, the checks, the organisation, the service."""

    source: ClassVar[str]
    esp_name: str

    if TYPE_CHECKING:  # provided by anymail's views, after this class in the MRO

        def run_validators(self, request: HttpRequest) -> None: ...

        def parse_events(self, request: HttpRequest) -> list[AnymailInboundEvent]: ...

    def raw_of(self, request: HttpRequest, event: AnymailInboundEvent) -> bytes:
        return bytes(event.message.as_bytes())

    def read_body(self, request: HttpRequest, body: bytes) -> None:
        """Keep the body read (Django's own limit is for forms, not for mail)."""
        request._body = body

    def post(self, request: HttpRequest, *args: Any, slug: str = "", **kwargs: Any) -> HttpResponse:
        organisation = organisation_for_mail(slug=slug)
        if organisation is None:
            return _problem(404, "No such organisation.")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _problem(400, "The Content-Length header is not a number.")
        if length > _max_bytes():
            _refusal_log(request, esp=self.esp_name, slug=slug, reason="too large")
            return _problem(413, f"The request is larger than the limit of {_max_bytes():,} bytes.")
        body = request.read(_max_bytes() + 1)
        if len(body) > _max_bytes():
            return _problem(413, f"The request is larger than the limit of {_max_bytes():,} bytes.")
        try:
            self.read_body(request, body)
        except ValueError as exc:
            return _problem(400, f"The form could not be read ({exc}).")
        try:
            self.run_validators(request)
        except AnymailWebhookValidationFailure as exc:
            _refusal_log(request, esp=self.esp_name, slug=slug, reason=str(exc))
            return _problem(403, "The request's authentication or signature is not valid.")
        try:
            events = self.parse_events(request)
            raws = [self.raw_of(request, event) for event in events]
        except (
            AnymailError,
            ImproperlyConfigured,
            ValueError,
            LookupError,
            TypeError,
            AttributeError,
        ) as exc:
            return _problem(
                400, f"This is not a {self.esp_name} inbound message ({type(exc).__name__})."
            )
        outcomes = []
        for raw in raws:
            got = message_receive(
                raw, organisation=organisation, source=self.source, now=timezone.now()
            )
            outcomes.append({"outcome": got.outcome, "reason": got.reason})
        return JsonResponse({"received": outcomes})


class MailgunInbound(_InboundWebhook, MailgunInboundWebhookView):  # type: ignore[misc]
    """Mailgun's route action `forward("https://desk.example/mail/inbound/ORG/mailgun/")`
    (fully parsed) or `…/mailgun/mime` style raw MIME (`body-mime`)."""

    source = "webhook:mailgun"

    def read_body(self, request: HttpRequest, body: bytes) -> None:
        super().read_body(request, body)
        if request.content_type == "multipart/form-data":
            ctype = request.META.get("CONTENT_TYPE", "")
            post, files = _form_read(body, ctype)
            request._post, request._files = post, files  # type: ignore[attr-defined]

    def raw_of(self, request: HttpRequest, event: AnymailInboundEvent) -> bytes:
        mime = request.POST.get("body-mime")
        return mime.encode("utf-8") if mime else super().raw_of(request, event)


class PostmarkInbound(_InboundWebhook, PostmarkInboundWebhookView):  # type: ignore[misc]
    """Postmark's inbound stream webhook, with "Include raw email content" on (the
    message then arrives byte for byte; without it, as anymail rebuilds it)."""

    source = "webhook:postmark"

    def __init__(self, **kwargs: Any) -> None:
        if not getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
            # Postmark signs nothing: basic authentication is all there is.
            raise ImproperlyConfigured("PLAINT_MAIL_WEBHOOK_SECRET is not set")
        super().__init__(**kwargs)

    def raw_of(self, request: HttpRequest, event: AnymailInboundEvent) -> bytes:
        payload = json.loads(request.body)
        mime = payload.get("RawEmail") if isinstance(payload, dict) else None
        return mime.encode("utf-8") if isinstance(mime, str) else super().raw_of(request, event)


def _view(cls: type[Any]) -> Any:
    """The view, answering 404 while its service is not configured (no secret, no key):
    an endpoint without its check is never open."""
    inner = cls.as_view()

    def view(request: HttpRequest, slug: str) -> HttpResponse:
        try:
            return inner(request, slug=slug)  # type: ignore[no-any-return]
        except ImproperlyConfigured:
            return _problem(404, "This inbound webhook is not configured.")

    view.csrf_exempt = True  # type: ignore[attr-defined]
    view.login_required = False  # type: ignore[attr-defined]
    return view


mailgun_inbound = _view(MailgunInbound)
postmark_inbound = _view(PostmarkInbound)
