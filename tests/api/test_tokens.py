"""API tokens: stored hashed, shown once, scoped, expiring, revocable; by the service, the
`plaint token` command and the desk's page."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from plaint.api import tokens
from plaint.api.models import ApiToken
from plaint.domain.errors import DomainError, FieldErrors
from tests.api.conftest import ApiClient
from tests.conftest import NOW


def test_only_the_hash_is_kept_and_the_prefix_is_visible(admin, org):
    made = tokens.token_create(
        organisation=org, owner=admin, name="CRM", scopes=["read"], actor=admin, now=NOW
    )
    row = ApiToken.objects.get()
    assert made.secret.startswith(row.prefix + "_") and row.prefix.startswith("plt_")
    assert row.digest == hashlib.sha256(made.secret.encode()).hexdigest()
    assert made.secret not in str(ApiToken.objects.values().get())
    assert len(made.secret) > 40


def test_scopes_names_and_expiry_are_checked(admin, org, agent):
    with pytest.raises(FieldErrors) as exc:
        tokens.token_create(
            organisation=org,
            owner=admin,
            name=" ",
            scopes=["root"],
            actor=admin,
            now=NOW,
            expires_at=NOW - timedelta(days=1),
        )
    assert set(exc.value.errors) == {"name", "scopes", "expires_at"}
    with pytest.raises(DomainError, match="Only an admin"):
        tokens.token_create(
            organisation=org, owner=agent, name="x", scopes=["read"], actor=agent, now=NOW
        )
    tokens.token_create(
        organisation=org, owner=agent, name="x", scopes=["read"], actor=admin, now=NOW
    )
    with pytest.raises(FieldErrors, match="already the name"):
        tokens.token_create(
            organisation=org, owner=agent, name="x", scopes=["read"], actor=admin, now=NOW
        )


def test_another_organisations_member_cannot_own_a_token(admin, org, outsider):
    with pytest.raises(FieldErrors) as exc:
        tokens.token_create(
            organisation=org, owner=outsider, name="x", scopes=["read"], actor=admin, now=NOW
        )
    assert "owner" in exc.value.errors


def test_revoked_and_expired_tokens_are_refused(make_token, admin):
    revoked, expired, live = make_token(), make_token(), make_token()
    tokens.token_revoke(organisation=admin.organisation, prefix=revoked[:12], actor=admin, now=NOW)
    ApiToken.objects.filter(prefix=expired[:12]).update(expires_at=datetime(2000, 1, 1, tzinfo=UTC))
    for secret, why in ((revoked, "revoked"), (expired, "expired"), ("plt_0000_nope", "not known")):
        answer = ApiClient(secret).get("/api/v1/cases")
        assert answer.status_code == 401
        assert answer["Content-Type"] == "application/problem+json"
        assert why in answer.json()["detail"]
    assert ApiClient(live).get("/api/v1/cases").status_code == 200
    with pytest.raises(DomainError, match="already revoked"):
        tokens.token_revoke(
            organisation=admin.organisation, prefix=revoked[:12], actor=admin, now=NOW
        )


def test_an_inactive_owner_s_token_is_refused(make_token, agent):
    secret = make_token(owner=agent)
    agent.is_active = False
    agent.save()
    assert ApiClient(secret).get("/api/v1/cases").status_code == 401


def test_the_command_creates_lists_and_revokes(admin, org):
    out = StringIO()
    call_command(
        "token",
        "create",
        "--org",
        org.slug,
        "--owner",
        "ada",
        "--name",
        "Web form",
        "--scopes",
        "write,read",
        stdout=out,
    )
    secret = out.getvalue().strip().splitlines()[-1]
    assert secret.startswith("plt_")
    listing = StringIO()
    call_command("token", "list", "--org", org.slug, stdout=listing)
    assert "Web form" in listing.getvalue() and secret not in listing.getvalue()
    assert "read,write" in listing.getvalue()
    call_command("token", "revoke", "--org", org.slug, "--by", "ada", secret[:12], stdout=out)
    assert ApiToken.objects.get().revoked_at is not None
    with pytest.raises(CommandError, match="--scopes"):
        call_command(
            "token",
            "create",
            "--org",
            org.slug,
            "--owner",
            "ada",
            "--name",
            "x",
            "--scopes",
            "everything",
        )
    with pytest.raises(CommandError, match="--expires"):
        call_command(
            "token",
            "create",
            "--org",
            org.slug,
            "--owner",
            "ada",
            "--name",
            "x",
            "--expires",
            "2030-01-01T00:00:00",
        )


def test_the_desk_page_makes_shows_once_and_revokes(admin, agent, org):
    client = Client()
    client.force_login(admin)
    page = client.post(
        "/api/tokens/",
        {"name": "<script>alert(1)</script>", "owner": agent.pk, "scopes": ["read", "write"]},
    )
    assert page.status_code == 200
    token = ApiToken.objects.get()
    body = page.content.decode()
    assert token.prefix in body and "&lt;script&gt;" in body and "<script>alert" not in body
    secret = body.split('<code id="secret">')[1].split("</code>")[0]
    assert hashlib.sha256(secret.encode()).hexdigest() == token.digest
    again = client.get("/api/tokens/").content.decode()
    assert secret not in again and token.prefix in again
    client.post(f"/api/tokens/{token.prefix}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_desk_page_is_for_admins_of_the_organisation_only(agent, outsider, make_token):
    client = Client()
    client.force_login(agent)
    assert client.get("/api/tokens/").status_code == 403
    prefix = make_token()[:12]
    client.force_login(outsider)  # an admin, of another organisation
    assert client.post(f"/api/tokens/{prefix}/revoke/").status_code == 404
    assert ApiToken.objects.get(prefix=prefix).revoked_at is None


def test_purge_keys_forgets_only_keys_older_than_a_day(api):
    from plaint.api.models import IdempotentRequest
    from tests.api.conftest import CASE_BODY

    api.post("/api/v1/cases", CASE_BODY, headers={"Idempotency-Key": "old"})
    api.post("/api/v1/cases", CASE_BODY, headers={"Idempotency-Key": "new"})
    IdempotentRequest.objects.filter(key="old").update(created_at=datetime(2000, 1, 1, tzinfo=UTC))
    out = StringIO()
    call_command("token", "purge-keys", stdout=out)
    assert "Forgot 1 idempotency key." in out.getvalue()
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
