"""Signing in by e-mail link, for hosted workspaces (one account per consumer).

The consumer gives an address; Plaint e-mails a link that signs them in. The link holds
the account and a token made like Django's password-reset tokens, over the account's
last sign-in: it works once (signing in changes the last sign-in), for `LINK_MINUTES`,
and only with this installation's secret key. A consumer account has no organisation and
no role, so the desk refuses it. An address is sent at most `LIMIT` links an hour.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import transaction
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from plaint.consumer.models import ConsumerSignInRequest
from plaint.domain.contactpoints import ContactPointError, email_clean
from plaint.domain.errors import DomainError, FieldErrors

LINK_MINUTES = 60
LIMIT = 5


class LinkRefused(DomainError):
    """The sign-in link is not valid (any more)."""


class _Tokens(PasswordResetTokenGenerator):
    key_salt = "plaint.consumer.signin"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        login = "" if user.last_login is None else user.last_login.replace(microsecond=0)
        return f"{user.pk}{login}{timestamp}{user.email}{user.is_active}"

    def fresh(self, user: Any, token: str) -> bool:
        try:
            stamp = base36_to_int(token.split("-", 1)[0])
        except ValueError:
            return False
        made = self._num_seconds(self._now()) - stamp
        if made > LINK_MINUTES * 60 or made < -60:
            return False
        return constant_time_compare(
            self._make_token_with_timestamp(user, stamp, self.secret), token
        )


TOKENS = _Tokens()


def _address_key(address: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def _username(address: str) -> str:
    return "consumer-" + hashlib.sha256(address.encode()).hexdigest()[:24]


def signin_request(*, email: str, link_base: str, now: datetime) -> None:
    """Send a sign-in link to `email` (creating the consumer's account the first time).
    Refused: an address that cannot be one, or too many links for it in the last hour."""
    try:
        address = email_clean(email)
    except ContactPointError as exc:
        raise FieldErrors({"email": f"This {exc.message.split(': ', 1)[0]}."}) from None
    if not address:
        raise FieldErrors({"email": "Give the e-mail address the link should go to."})
    key = _address_key(address.lower())
    with transaction.atomic():
        ConsumerSignInRequest.objects.filter(at__lt=now - timedelta(hours=1)).delete()
        if ConsumerSignInRequest.objects.filter(address=key).count() >= LIMIT:
            raise FieldErrors(
                {"email": "Several links were sent to this address in the last hour: use the "
                 "newest, or try again later."}
            )  # fmt: skip
        ConsumerSignInRequest.objects.create(address=key, at=now)
        users = get_user_model().objects
        user = users.filter(username=_username(address.lower())).first()
        if user is None:
            user = users.create_user(username=_username(address.lower()), email=address)
            user.set_unusable_password()
            user.save(update_fields=["password"])
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        link = f"{link_base.rstrip('/')}/{uid}/{TOKENS.make_token(user)}/"
        body = (
            "Someone (we hope you) asked to sign in to a Plaint consumer workspace with this "
            f"address. The link works once, for {LINK_MINUTES} minutes:\n\n{link}\n\n"
            "If it was not you, ignore this e-mail: nothing happens without the link."
        )
        transaction.on_commit(
            lambda: send_mail(
                "Your Plaint sign-in link", body, settings.DEFAULT_FROM_EMAIL, [address]
            )
        )


def signin_check(*, uid: str, token: str) -> Any:
    """The consumer account a link signs in, or LinkRefused."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, OverflowError):
        raise LinkRefused("This sign-in link is not valid.") from None
    user = get_user_model().objects.filter(pk=pk, is_active=True, organisation=None).first()
    if user is None or not user.username.startswith("consumer-"):
        raise LinkRefused("This sign-in link is not valid.")
    if not TOKENS.fresh(user, token):
        raise LinkRefused(
            f"This sign-in link has been used or is more than {LINK_MINUTES} minutes old: "
            "ask for a new one."
        )
    return user


def verified_address(user: Any) -> str:
    """The address a consumer account has proved it reads (a link sent there was used to
    sign in), or "" when there is none: a desk account, one never signed in, or one whose
    address is no longer the one its links went to."""
    if not user.is_active or user.organisation_id is not None or user.last_login is None:
        return ""
    address = user.email or ""
    if not address or user.username != _username(address.lower()):
        return ""
    return str(address)
