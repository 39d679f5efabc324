"""Closed vocabularies shared by the case record: channels, actors, outcomes, offers,
how a letter was delivered."""

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


class DeliveryMethod(StrEnum):
    """How a kept letter went out (see `plaint.letters.services.letter_mark_sent`)."""

    POST = "post"
    RECORDED_DELIVERY = "recorded_delivery"
    CERTIFIED_MAIL = "certified_mail"
    COURIER = "courier"
    EMAIL = "email"
    HAND = "hand"
    PORTAL = "portal"

    @property
    def label(self) -> str:
        return DELIVERY_METHOD_LABELS[self]

    @property
    def words(self) -> str:
        """How the letter went, to follow "sent": "by post", "through the customer portal"."""
        return DELIVERY_METHOD_WORDS[self]

    @property
    def needs_tracking(self) -> bool:
        """Tracked services: the tracking number is the proof of delivery."""
        return self in _TRACKED


_TRACKED = frozenset(
    {DeliveryMethod.RECORDED_DELIVERY, DeliveryMethod.CERTIFIED_MAIL, DeliveryMethod.COURIER}
)


DELIVERY_METHOD_LABELS: dict[DeliveryMethod, str] = {
    DeliveryMethod.POST: "Post",
    DeliveryMethod.RECORDED_DELIVERY: "Recorded delivery",
    DeliveryMethod.CERTIFIED_MAIL: "Certified mail, return receipt",
    DeliveryMethod.COURIER: "Courier",
    DeliveryMethod.EMAIL: "Email",
    DeliveryMethod.HAND: "By hand",
    DeliveryMethod.PORTAL: "Customer portal",
}

DELIVERY_METHOD_WORDS: dict[DeliveryMethod, str] = {
    DeliveryMethod.POST: "by post",
    DeliveryMethod.RECORDED_DELIVERY: "by recorded delivery",
    DeliveryMethod.CERTIFIED_MAIL: "by certified mail, return receipt requested",
    DeliveryMethod.COURIER: "by courier",
    DeliveryMethod.EMAIL: "by email",
    DeliveryMethod.HAND: "by hand",
    DeliveryMethod.PORTAL: "through the customer portal",
}


def label(value: StrEnum) -> str:
    """``Channel.IN_PERSON`` -> ``"In person"``; an enum that names its own labels (a
    `label` property, like `DeliveryMethod`) keeps them."""
    own = getattr(value, "label", None)
    if isinstance(own, str):
        return own
    return value.value.replace("_", " ").capitalize()


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    """(value, label) pairs for model fields and form menus."""
    return [(member.value, label(member)) for member in enum]
