"""Building received mail for the tests, as mail programs write it."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP


def raw_mail(
    *,
    sender: str = "Dana Whitfield <dana@example.org>",
    subject: str = "Re: your complaint",
    text: str = "Thanks, I accept the refund.",
    message_id: str = "<r1@mail.example.org>",
    in_reply_to: str = "",
    html: str = "",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
    charset: str = "utf-8",
) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = "Acme Energy <desk@acme.test>"
    message["Subject"] = subject
    message["Date"] = "Mon, 02 Mar 2026 10:00:00 +0000"
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text, charset=charset)
    if html:
        message.add_alternative(html, subtype="html")
    for name, ctype, data in attachments or []:
        main, _, sub = ctype.partition("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return message.as_bytes()
