"""Events of a consumer's own case file (`plaint.consumer`). A consumer's contacts,
evidence and letters reuse the case vocabulary (`contact_logged`, `evidence_attached`,
`letter_generated`, `letter_sent`); these are the events only a consumer's file has."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from plaint.domain.events import EventKind, Payload


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConsumerCaseStarted(Payload):
    """A consumer started a case file: by hand (`source` "new") or from an imported file
    (`source` "import", with the SHA-256 of the file)."""

    kind: ClassVar[EventKind] = EventKind.CONSUMER_CASE_STARTED
    title: str
    jurisdiction: str
    time_zone: str
    source: str = "new"
    file_sha256: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConsumerAnswersSaved(Payload):
    """Answers given in an interview (or on the case page): the field keys and their new
    values (None when an answer was cleared)."""

    kind: ClassVar[EventKind] = EventKind.CONSUMER_ANSWERS_SAVED
    answers: dict[str, Any]
    conduct_continues: bool | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConsumerReminderSent(Payload):
    """A reminder e-mail of the dates that matter went to the account's address (hosted
    only): each date's id, its day and how many days ahead it was."""

    kind: ClassVar[EventKind] = EventKind.CONSUMER_REMINDER_SENT
    dates: list[dict[str, Any]]  # {"uid", "day", "lead_days", "title"}


PAYLOADS: tuple[type[Payload], ...] = (
    ConsumerCaseStarted,
    ConsumerAnswersSaved,
    ConsumerReminderSent,
)
