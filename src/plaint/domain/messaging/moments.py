"""The moments a customer is told about by e-mail, and Plaint's default words for each.

These notifications only say that something happened and where to read it; they give no
advice and state nothing the case record does not. An organisation can change the words
or turn a moment off (`plaint.messaging.models.NotificationSetting`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Moment(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    OFFER = "offer"
    INFORMATION_REQUEST = "information_request"
    FINAL_RESPONSE = "final_response"
    NEW_LINK = "new_link"


@dataclass(frozen=True)
class Wording:
    label: str
    subject: str
    body: str


_SIGN_OFF = "\n\n{{ organisation.name }}\n"

DEFAULT_WORDING: dict[Moment, Wording] = {
    Moment.ACKNOWLEDGEMENT: Wording(
        "Complaint received",
        "We have received your complaint {{ case.reference }}",
        "Dear {{ customer.name }},\n\nWe have received your complaint and given it the "
        "reference {{ case.reference }}. Please quote it if you write to us; you can reply "
        "to this e-mail." + _SIGN_OFF,
    ),
    Moment.OFFER: Wording(
        "An offer awaits your answer",
        "An offer on your complaint {{ case.reference }} awaits your answer",
        "Dear {{ customer.name }},\n\nWe have made an offer to settle your complaint "
        "{{ case.reference }}. Please tell us whether you accept it; you can reply to this "
        "e-mail." + _SIGN_OFF,
    ),
    Moment.INFORMATION_REQUEST: Wording(
        "We need more information",
        "We need some information about your complaint {{ case.reference }}",
        "Dear {{ customer.name }},\n\nTo carry on with your complaint {{ case.reference }} "
        "we need some more information from you. Please reply to this e-mail." + _SIGN_OFF,
    ),
    Moment.FINAL_RESPONSE: Wording(
        "Final response sent",
        "Our final response to your complaint {{ case.reference }}",
        "Dear {{ customer.name }},\n\nWe have sent you our final response to your complaint "
        "{{ case.reference }}." + _SIGN_OFF,
    ),
    Moment.NEW_LINK: Wording(
        "A new private link",
        "Your new link for complaint {{ case.reference }}",
        "Dear {{ customer.name }},\n\nHere is a new private link to follow your complaint "
        "{{ case.reference }}:\n\n{{ link }}\n\nAnyone with the link can see your complaint, "
        "so please do not forward this e-mail." + _SIGN_OFF,
    ),
}
