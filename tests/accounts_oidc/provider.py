"""A small OpenID Connect provider on loopback, for the single sign-on tests.

It serves, over real HTTP on 127.0.0.1 (a free port), what Plaint's back end calls:
discovery, `/authorize` (approves the configured `person` at once and redirects back with a
code; `error=access_denied` when there is none), `/token` (checks the client's secret, the
redirect address and the PKCE verifier, then answers an RS256-signed id token), `/userinfo`
and `/jwks`. Each attribute under "misbehaviour" makes it answer as a broken or hostile
provider would, one fault at a time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

CLIENT_ID = "plaint-desk"
CLIENT_SECRET = "test-client-secret-4f1c-9a7e-long-enough"
KID = "plaint-test-key-1"

_keys: dict[str, RSAPrivateKey] = {}


def _key(name: str) -> RSAPrivateKey:
    """One RSA key per name for the whole run (making one takes a while)."""
    if name not in _keys:
        _keys[name] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _keys[name]


@dataclass
class Person:
    """Who is signed in at the provider, and the claims it tells about them."""

    sub: str
    email: Any
    email_verified: Any = True
    extra: dict[str, Any] = field(default_factory=dict)

    def claims(self) -> dict[str, Any]:
        claims = {"sub": self.sub, "email": self.email, **self.extra}
        if self.email_verified is not None:
            claims["email_verified"] = self.email_verified
        return claims


@dataclass
class Provider:
    person: Person | None = None
    # ---- misbehaviour
    #: Sign id tokens with a key the JWKS does not hold (but under the same kid).
    forge_signature: bool = False
    #: Sign with HS256 and the client secret instead of RS256 (an algorithm confusion).
    sign_hs256: bool = False
    #: Put this nonce in the id token instead of the one asked for.
    nonce: str | None = None
    #: Claims of the id token replaced or added (iss, aud, exp, ...).
    id_token_claims: dict[str, Any] = field(default_factory=dict)
    #: The userinfo's claims replaced or added.
    userinfo_claims: dict[str, Any] = field(default_factory=dict)
    #: auth_time in the id token (default: when /authorize was called).
    auth_time: int | None = None
    #: The issuer its discovery document names (default: its own address).
    discovery_issuer: str | None = None
    # ---- what it saw
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._codes: dict[str, dict[str, Any]] = {}
        self._access: dict[str, dict[str, Any]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # ---------------------------------------------------------------- documents

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.discovery_issuer or self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(_key("provider").public_key(), as_dict=True)
        return {"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]}

    # ---------------------------------------------------------------- the steps

    def authorize(self, query: dict[str, str]) -> str:
        """Where /authorize redirects to."""
        self.authorize_requests.append(query)
        back = query["redirect_uri"]
        if self.person is None:
            return f"{back}?{urlencode({'error': 'access_denied', 'state': query['state']})}"
        code = secrets.token_urlsafe(16)
        self._codes[code] = {
            "query": query,
            "person": self.person,
            "auth_time": int(time.time()) if self.auth_time is None else self.auth_time,
        }
        return f"{back}?{urlencode({'code': code, 'state': query['state']})}"

    def token(self, form: dict[str, str], basic: tuple[str, str] | None) -> tuple[int, Any]:
        self.token_requests.append(form)
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if client_id != CLIENT_ID or secret != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        grant = self._codes.pop(form.get("code", ""), None)  # a code is used once
        if grant is None or form.get("grant_type") != "authorization_code":
            return 400, {"error": "invalid_grant"}
        asked = grant["query"]
        if form.get("redirect_uri") != asked["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if challenge.rstrip(b"=").decode() != asked.get("code_challenge"):
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        person: Person = grant["person"]
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": person.sub,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "auth_time": grant["auth_time"],
            "nonce": asked.get("nonce") if self.nonce is None else self.nonce,
            **self.id_token_claims,
        }
        claims = {key: value for key, value in claims.items() if value is not None}
        if self.sign_hs256:
            id_token = jwt.encode(claims, CLIENT_SECRET, algorithm="HS256", headers={"kid": KID})
        else:
            key = _key("forger" if self.forge_signature else "provider")
            id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})
        access = secrets.token_urlsafe(16)
        self._access[access] = {**person.claims(), **self.userinfo_claims}
        body = {"access_token": access, "token_type": "Bearer", "expires_in": 300}
        return 200, {**body, "id_token": id_token}

    def userinfo(self, authorization: str) -> tuple[int, Any]:
        claims = self._access.get(authorization.removeprefix("Bearer "))
        return (200, claims) if claims is not None else (401, {"error": "invalid_token"})


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif parts.path == "/jwks":
                self._json(200, provider.jwks())
            elif parts.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", provider.authorize(query))
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif parts.path == "/userinfo":
                self._json(*provider.userinfo(self.headers.get("Authorization", "")))
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length).decode()
            form = {key: values[0] for key, values in parse_qs(raw).items()}
            basic = None
            header = self.headers.get("Authorization", "")
            if header.startswith("Basic "):
                user, _, secret = base64.b64decode(header[6:]).decode().partition(":")
                basic = (user, secret)
            if urlsplit(self.path).path == "/token":
                self._json(*provider.token(form, basic))
            else:
                self._json(404, {"error": "not_found"})

    return Handler
