"""Closed vocabularies shared by the case record: channels, actors, outcomes, offers."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    WEB = "web"
    CHAT = "chat"
    LETTER = "letter"
    IN_PERSON = "in_person"
    SOCIAL_MEDIA = "social_media"
    REFERRAL = "referral"
    FAX = "fax"
    OTHER = "other"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class ActorKind(StrEnum):
    STAFF = "staff"
    CUSTOMER = "customer"
    SYSTEM = "system"


class Visibility(StrEnum):
    INTERNAL = "internal"
    CUSTOMER = "customer"


class RedressKind(StrEnum):
    REFUND = "refund"
    REPLACEMENT = "replacement"
    REPAIR = "repair"
    CREDIT = "credit"
    APOLOGY = "apology"
    OTHER = "other"


class Outcome(StrEnum):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    NOT_UPHELD = "not_upheld"


def label(value: StrEnum) -> str:
    """``Channel.IN_PERSON`` -> ``"In person"``."""
    return value.value.replace("_", " ").capitalize()


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    """(value, label) pairs for model fields and form menus."""
    return [(member.value, label(member)) for member in enum]
