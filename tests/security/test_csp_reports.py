"""Content-Security-Policy violation reports: the policy names Plaint's own endpoint,
`/csp-report/` reads both formats and logs one redacted JSON line per violation, and
refuses what is not a report (never a 500)."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import pytest
from django.test import Client

from plaint.config import appsettings
from plaint.config.appsettings import AppSettings
from plaint.cspreport.policy import csp_report_directives
from plaint.limits.models import LimitWindow
from tests.security.conftest import World, signed_in

pytestmark = pytest.mark.django_db

URL = "/csp-report/"
LEGACY = "application/csp-report"
REPORTING = "application/reports+json"
TOKEN = "Zx9kQ2mN7pR4sT6vW8yA"


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, str]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "plaint.security.csp"]


def _post(body: bytes | str, content_type: str = LEGACY, **extra: str) -> int:
    data = body.encode() if isinstance(body, str) else body
    return Client().post(URL, data=data, content_type=content_type, **extra).status_code


def _legacy(**fields: str) -> str:
    report = {
        "document-uri": f"https://plaint.example/complain/acme/case/{TOKEN}/?next=/x&t={TOKEN}",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": f"https://evil.example:8443/x.js?token={TOKEN}#frag",
        "original-policy": "default-src 'self'",
        "disposition": "enforce",
        **fields,
    }
    return json.dumps({"csp-report": report})


def test_legacy_report_is_logged_without_query_or_token(caplog) -> None:
    caplog.set_level(logging.INFO, logger="plaint.security.csp")
    status = _post(_legacy(), HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 500)
    assert status == 204
    [line] = _lines(caplog)
    assert line == {
        "event": "csp-violation",
        "directive": "script-src-elem",
        "blocked": "https://evil.example:8443",
        "document": "/complain/acme/case/[redacted]/",
        "disposition": "enforce",
        "user_agent": ("Mozilla/5.0 " + "x" * 500)[:200],
        "format": "report-uri",
    }
    assert TOKEN not in caplog.text and "next=" not in caplog.text


def test_reporting_api_array_logs_each_violation(caplog) -> None:
    caplog.set_level(logging.INFO, logger="plaint.security.csp")
    reports = [
        {
            "type": "csp-violation",
            "url": f"https://plaint.example/cases/C-1/?q={TOKEN}",
            "user_agent": "Chromium/131",
            "body": {
                "documentURL": f"https://plaint.example/cases/C-1/?q={TOKEN}",
                "effectiveDirective": "style-src-attr",
                "blockedURL": "inline",
                "disposition": "enforce",
            },
        },
        {"type": "deprecation", "url": "https://plaint.example/", "body": {"id": "x"}},
        {
            "type": "csp-violation",
            "url": "https://plaint.example/",
            "body": {
                "documentURL": "https://plaint.example/reports/",
                "effectiveDirective": "img-src",
                "blockedURL": "data:image/png;base64,AAAA",
            },
        },
    ]
    assert _post(json.dumps(reports), REPORTING, HTTP_USER_AGENT="Fallback/1") == 204
    first, second = _lines(caplog)
    assert first["directive"] == "style-src-attr" and first["blocked"] == "inline"
    assert first["document"] == "/cases/C-1/" and first["user_agent"] == "Chromium/131"
    assert first["format"] == "report-to"
    assert second["blocked"] == "data:" and second["document"] == "/reports/"
    assert second["user_agent"] == "Fallback/1" and second["disposition"] == "enforce"
    assert TOKEN not in caplog.text


def test_hostile_text_is_escaped_in_one_line(caplog) -> None:
    caplog.set_level(logging.INFO, logger="plaint.security.csp")
    body = _legacy(**{"effective-directive": "<script>\n{{ 7*7 }}\u202e"})
    assert _post(body) == 204
    [record] = [r for r in caplog.records if r.name == "plaint.security.csp"]
    message = record.getMessage()
    assert "\n" not in message and "\u202e" not in message
    assert json.loads(message)["directive"] == "<script>\n{{"


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", LEGACY, 400),
        ("[]", LEGACY, 400),
        ('{"csp-report": "x"}', LEGACY, 400),
        ('{"csp-report": {}}', REPORTING, 400),
        ('[{"type": "csp-violation", "body": 3}]', REPORTING, 400),
        ('{"csp-report": {"blocked-uri": ["x"]}}', LEGACY, 400),
        (b'{"csp-report": {"document-uri": "/\x00"}}', LEGACY, 400),
        ('{"csp-report": {"document-uri": "/\\u0000"}}', LEGACY, 400),
        (b"\xff\xfe", LEGACY, 400),
        ("[" * 100_00 + "]" * 100_00, REPORTING, 400),
        (_legacy(), "text/plain", 415),
        (_legacy(), "application/x-www-form-urlencoded", 415),
    ],
)
def test_malformed_bodies_are_refused(body, content_type, status, caplog) -> None:
    assert _post(body, content_type) == status
    assert not _lines(caplog)
    assert "Traceback" not in caplog.text


def test_oversized_body_is_refused(caplog) -> None:
    padding = "a" * (64 * 1024)
    assert _post(_legacy(**{"original-policy": padding}), LEGACY) == 413
    assert not _lines(caplog)


def test_get_is_not_allowed() -> None:
    assert Client().get(URL).status_code == 405


def test_rate_limited_per_client(monkeypatch, caplog) -> None:
    monkeypatch.setattr(appsettings, "APP", replace(appsettings.APP, public_rate_limit=2))
    caplog.set_level(logging.INFO, logger="plaint.security.csp")
    assert [_post(_legacy()) for _ in range(3)] == [204, 204, 429]
    assert len(_lines(caplog)) == 2
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.post(URL, data=_legacy(), content_type=LEGACY).status_code == 204
    assert LimitWindow.objects.filter(scope="csp-report").count() == 2
    # The rate limit's counters are all that is stored.


def test_policy_and_reporting_endpoints_on_desk_and_portal(world: World) -> None:
    responses = {
        "desk": signed_in("ada").get("/"),
        "portal": Client().get(f"/complain/acme/case/{world.token()}/"),
    }
    for where, response in responses.items():
        assert response.status_code == 200, where
        policy = response["Content-Security-Policy"]
        assert "report-uri /csp-report/" in policy, where
        assert "report-to csp-endpoint" in policy, where
        assert response["Reporting-Endpoints"] == 'csp-endpoint="/csp-report/"', where


def test_setting_turns_reports_off(settings, world: World) -> None:
    assert AppSettings.from_env({}).csp_reports is True
    assert AppSettings.from_env({"PLAINT_CSP_REPORTS": "false"}).csp_reports is False
    assert csp_report_directives(False) == {}
    directives = dict(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
    for key in csp_report_directives(True):
        directives.pop(key)
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": directives}
    settings.PLAINT_CSP_REPORT_URI = ""
    response = signed_in("ada").get("/")
    assert "report-" not in response["Content-Security-Policy"]
    assert not response.has_header("Reporting-Endpoints")
    assert _post(_legacy()) == 404
