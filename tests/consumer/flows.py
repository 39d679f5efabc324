"""Driving the workspace's pages with Django's test client, as a person would."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from plaint.consumer.models import ConsumerCase, ConsumerLetter
from plaint.domain.consumer.questions import interview_keys, required_keys

STEP = re.compile(r"/write/(?P<kind>[\w-]+)/(?P<step>\d+)/$")


def start_case(client: Client, title: str, jurisdiction: str, zone: str) -> ConsumerCase:
    response = client.post(
        reverse("consumer:home"),
        {"title": title, "jurisdiction": jurisdiction, "time_zone": zone},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ConsumerCase.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def interview(client: Client, case: ConsumerCase, kind: str, answers: dict[str, str]) -> list[str]:
    """Answer the letter's interview from `answers` (skipping optional questions it does
    not hold); returns the keys asked, in order."""
    asked = []
    url = client.get(reverse("consumer:interview_start", args=[case.pk, kind]))["Location"]
    for _ in range(100):
        match = STEP.search(url)
        if match is None:
            break
        step = int(match["step"])
        case.refresh_from_db()
        key = interview_keys(kind, case.answers)[step - 1]
        asked.append(key)
        page = client.get(url)
        assert page.status_code == 200
        if key in answers:
            response = client.post(url, {"answer": answers[key], "go": "next"})
        elif key in required_keys(kind, case.answers) and case.answers.get(key):
            response = client.post(url, {"answer": _shown(case.answers[key]), "go": "next"})
        else:
            assert key not in required_keys(kind, case.answers), f"{kind} needs {key}"
            response = client.post(url, {"go": "skip"})
        assert response.status_code == 302, (key, response.content.decode()[:3000])
        url = response["Location"]
    assert url.endswith(f"/write/{kind}/check/"), url
    return asked


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "\n".join(value)
    return str(value)


def draft(client: Client, case: ConsumerCase, kind: str) -> ConsumerLetter:
    url = reverse("consumer:interview_check", args=[case.pk, kind])
    page = client.get(url)
    assert page.status_code == 200
    assert "Missing: the letter cannot be written" not in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302, response.content.decode()[:3000]
    return case.letters.latest("pk")


def log_call(client: Client, case: ConsumerCase, call: dict[str, str]) -> None:
    response = client.post(reverse("consumer:contact_add", args=[case.pk]), call)
    assert response.status_code == 302, response.content.decode()[:3000]


def mark_sent(
    client: Client, letter: ConsumerLetter, method: str, on: str, tracking: str = ""
) -> None:
    response = client.post(
        reverse("consumer:letter_sent", args=[letter.case_id, letter.pk]),
        {"method": method, "sent_on": on, "tracking_number": tracking},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
