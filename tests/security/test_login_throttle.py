"""Sign-in throttling (issue 17, finding 8): wrong passwords lock the account and the
address for a while, the right password then does not sign in, and the lockout says so."""

from __future__ import annotations

from django.test import Client

from plaint.accounts.models import User

WRONG_TRIES = 100


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_100_wrong_passwords_then_the_right_one_does_not_sign_in(agent: User) -> None:
    client = Client()
    for n in range(WRONG_TRIES):
        client.post("/login/", {"username": "alice", "password": f"wrong-{n}"})
    response = client.post("/login/", {"username": "alice", "password": "pw-alice-123"})
    assert not _signed_in(client)
    assert response.status_code == 429
