"""How a delivery leaves: transports by name, and the outcome hooks of whoever queued it.

A transport opens a session (one SMTP connection for a batch), sends one payload at a time
and says what the far end answered: `Accepted` with its reply, or it raises `Transient`
(try again later: the server is down, or said 4xx) or `Permanent` (never retry: 5xx).

An outcome hook is registered per `purpose` by the app that queues deliveries (in its
AppConfig.ready); it is called in the transaction that records the outcome, so the
app's own record (its ledger event) is written with it or not at all."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import datetime

    from plaint.outbox.models import Delivery


@dataclass(frozen=True)
class Accepted:
    reply: str


class Transient(Exception):
    """Not delivered this time; worth trying again."""


class Permanent(Exception):
    """Refused for good; trying again would not help."""


class Session(Protocol):
    def send(self, *, sender: str, recipients: list[str], payload: bytes) -> Accepted: ...


class Transport(Protocol):
    def session(self) -> AbstractContextManager[Session]: ...


OutcomeHook = Callable[["Delivery", "datetime"], None]

#: Called with `now` at the start of each outbox pass, to queue what is due (the
#: messaging part's customer notifications follow the ledger this way).
Producer = Callable[["datetime"], int]

_TRANSPORTS: dict[str, Transport] = {}
_HOOKS: dict[str, OutcomeHook] = {}
_PRODUCERS: dict[str, Producer] = {}


def transport_register(name: str, transport: Transport) -> None:
    _TRANSPORTS[name] = transport


def transport_get(name: str) -> Transport:
    try:
        return _TRANSPORTS[name]
    except KeyError:
        raise LookupError(f"no outbox transport named {name!r}") from None


def outcome_hook_register(purpose: str, hook: OutcomeHook) -> None:
    _HOOKS[purpose] = hook


def outcome_hook(purpose: str) -> OutcomeHook | None:
    return _HOOKS.get(purpose)


def producer_register(name: str, producer: Producer) -> None:
    _PRODUCERS[name] = producer


def producers() -> list[Producer]:
    return list(_PRODUCERS.values())
