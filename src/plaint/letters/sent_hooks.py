"""What other parts do when a kind of letter is marked sent.

A part above letters in the layers (disputes: the reply to a cease-and-desist meets the
reply deadline its letter demanded) registers a hook for a letter id at start-up; the
letters service calls it in the transaction that records the `letter_sent` event, after
that event, so what the hook writes (with its own events) stands or falls with it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.domain.events import LetterGenerated

#: Called with the case, the kept letter, when it was sent, who recorded it and `now`.
SentHook = Callable[[Case, LetterGenerated, datetime, Actor, datetime], None]

_HOOKS: dict[str, list[SentHook]] = {}


def letter_sent_hook_register(letter: str, hook: SentHook) -> None:
    hooks = _HOOKS.setdefault(letter, [])
    if hook not in hooks:
        hooks.append(hook)


def letter_sent_hooks(letter: str) -> list[SentHook]:
    return list(_HOOKS.get(letter, ()))
