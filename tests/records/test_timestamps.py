"""RFC 3161 time-stamps of checkpoints, from a real time-stamp authority the test runs on
loopback: requested after each checkpoint, checked, appended to the checkpoint file, and
checked again by `plaint verify --against`; refused, unreachable, forged or foreign tokens
are named and never stop the checkpoint itself."""

from __future__ import annotations

import base64
import io
import json
import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest
from asn1crypto import tsp
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import load_der_x509_certificate
from django.core.management import call_command

from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.domain.checkpoint import checkpoint_parse
from plaint.domain.timestamp import (
    TimestampError,
    imprint,
    timestamp_line,
    timestamp_line_parse,
    timestamp_request,
    timestamp_verify,
)
from plaint.records.anchoring import checkpoint_path, checkpoint_write, checkpoints_verify
from plaint.records.models import Checkpoint
from tests.conftest import NOW
from tests.records.tsa import LoopbackTSA, tsa_certificate

LATER = NOW + timedelta(hours=1)


@pytest.fixture
def tsa(settings, tmp_path) -> Iterator[LoopbackTSA]:  # type: ignore[no-untyped-def]
    key, cert = tsa_certificate()
    authority = LoopbackTSA(key, cert, gen_time=LATER + timedelta(seconds=2)).start()
    pem = tmp_path / "tsa.pem"
    pem.write_bytes(load_der_x509_certificate(cert).public_bytes(Encoding.PEM))
    settings.RECORDS_TSA_URL = authority.url
    settings.RECORDS_TSA_CERT = str(pem)
    yield authority
    authority.stop()


def _lines(org) -> list[str]:  # type: ignore[no-untyped-def]
    return checkpoint_path(org).read_text().splitlines()


def test_each_checkpoint_is_time_stamped_and_the_stamp_checked(case, org, tsa) -> None:
    checkpoint = checkpoint_write(organisation=org, now=LATER)
    lines = _lines(org)
    assert len(lines) == 2 and checkpoint_parse(lines[0]) == checkpoint
    digest, token = timestamp_line_parse(lines[1])
    assert digest == imprint(lines[0].encode()).hex()
    # the authority was asked for the SHA-256 of the exact checkpoint line
    asked = tsp.TimeStampReq.load(tsa.requests[0])
    assert asked["message_imprint"]["hashed_message"].native == imprint(lines[0].encode())
    stamp = timestamp_verify(token, lines[0].encode(), tsa_cert=tsa.cert_der)
    assert stamp.gen_time == tsa.gen_time and stamp.tsa == "CN=Loopback TSA"
    row = Checkpoint.objects.get(organisation=org)
    assert base64.b64decode(row.timestamp) == token and row.timestamp_problem == ""
    report = checkpoints_verify(lines)
    assert report.ok and report.checkpoints == 1 and report.timestamps == 1
    assert report.timestamps_unchecked == 0


def test_verify_against_reports_the_time_stamps(case, org, tsa, time_machine) -> None:
    time_machine.move_to(LATER, tick=False)
    out = io.StringIO()
    call_command("checkpoint", "--org", "acme", stdout=out)
    assert f"acme: time-stamped by {tsa.url}." in out.getvalue()
    out = io.StringIO()
    call_command("verify", "--workers", "1", "--against", str(checkpoint_path(org)), stdout=out)
    assert "Time-stamps: 1 of 1 checked against the trusted authority's certificate." in (
        out.getvalue()
    )


def test_forged_changed_and_foreign_stamps_are_named(case, org, agent, tsa, settings) -> None:
    tsa.gen_time = NOW + timedelta(seconds=1)
    checkpoint_write(organisation=org, now=NOW)
    services.case_note_add(case=case, text="n", actor=Actor.staff(agent), now=LATER)
    tsa.gen_time = LATER + timedelta(seconds=1)
    checkpoint_write(organisation=org, now=LATER)
    lines = _lines(org)
    assert checkpoints_verify(lines).ok
    # the second stamp relabelled as the first checkpoint's: it stamps other data
    moved = json.loads(lines[3]) | {"checkpoint": json.loads(lines[1])["checkpoint"]}
    problems = checkpoints_verify([lines[0], json.dumps(moved)]).problems
    assert problems == [
        "line 2 (time-stamp of line 1): the token time-stamps other data (its imprint differs)"
    ]
    # a token whose TSTInfo was edited (its generation time, here)
    _, token = timestamp_line_parse(lines[1])
    forged = bytearray(token)
    at = forged.find(b"\x18\x0f")  # GeneralizedTime, 15 bytes: YYYYMMDDHHMMSSZ
    forged[at + 2 + 3] ^= 0x01  # one digit of the year
    edited = json.loads(lines[1]) | {"token": base64.b64encode(bytes(forged)).decode()}
    problems = checkpoints_verify([lines[0], json.dumps(edited)]).problems
    assert problems == [
        "line 2 (time-stamp of line 1): the TSTInfo was changed after it was signed "
        "(digest differs)"
    ]
    # a stamp of a line that is not before it in the file (changed, or moved after it)
    assert checkpoints_verify([lines[2], lines[1], lines[0]]).problems[0] == (
        "line 2: time-stamps no checkpoint line before it (that line was changed)"
    )
    # another authority trusted than the one that signed
    _, other = tsa_certificate("Someone else")
    pem = tmp = checkpoint_path(org).parent / "other.der"
    tmp.write_bytes(other)
    settings.RECORDS_TSA_CERT = str(pem)
    problems = checkpoints_verify(lines).problems
    assert len(problems) == 2
    assert all("signed by another TSA than the one trusted" in p for p in problems)
    # nothing trusted: counted, not checked
    settings.RECORDS_TSA_CERT = ""
    report = checkpoints_verify(lines)
    assert report.ok and report.timestamps == 2 and report.timestamps_unchecked == 2


def test_a_stamp_older_than_the_checkpoint_is_named(case, org, tsa) -> None:
    tsa.gen_time = NOW - timedelta(days=1)  # the checkpoint claims a later signing time
    checkpoint_write(organisation=org, now=NOW)
    problems = checkpoints_verify(_lines(org)).problems
    assert len(problems) == 1
    assert (
        "the authority stamped line 1 at 2026-03-01T10:30:00+00:00, before the time"
        in (problems[0])
    )


def test_a_refusing_or_unreachable_authority_leaves_the_checkpoint_unstamped(
    case, org, tsa, settings
) -> None:
    tsa.refuse = True
    checkpoint_write(organisation=org, now=NOW)
    row = Checkpoint.objects.get(organisation=org)
    assert row.timestamp == ""
    assert row.timestamp_problem == "the authority refused (rejection: policy says no)"
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.RECORDS_TSA_URL = f"http://127.0.0.1:{port}/tsa"
    err = io.StringIO()
    call_command("checkpoint", "--org", "acme", stdout=io.StringIO(), stderr=err)
    assert "acme: NOT time-stamped: the authority at http://127.0.0.1:" in err.getvalue()
    assert "could not be reached" in err.getvalue()
    settings.RECORDS_TSA_URL = "file:///etc/passwd"
    checkpoint_write(organisation=org, now=LATER)
    assert Checkpoint.objects.order_by("-id")[0].timestamp_problem == (
        "PLAINT_TSA_URL must be an http:// or https:// address, not 'file:///etc/passwd'"
    )
    lines = _lines(org)
    assert len(lines) == 3 and all(checkpoint_parse(line) for line in lines)
    assert checkpoints_verify(lines).ok


def test_an_untrusted_or_misconfigured_authority_gives_no_stamp(case, org, tsa, settings) -> None:
    settings.RECORDS_TSA_CERT = ""
    checkpoint_write(organisation=org, now=NOW)
    row = Checkpoint.objects.get(organisation=org)
    assert row.timestamp_problem == "PLAINT_TSA_CERT is not set: no authority is trusted"
    assert len(_lines(org)) == 1


def test_the_token_checks_nonce_imprint_and_certificate_use(tsa) -> None:
    import urllib.request

    def ask(data: bytes, nonce: int) -> bytes:
        request = urllib.request.Request(  # noqa: S310 - the loopback authority
            tsa.url,
            data=timestamp_request(data, nonce=nonce),
            headers={"Content-Type": "application/timestamp-query"},
        )
        with urllib.request.urlopen(request) as answer:  # noqa: S310
            from plaint.domain.timestamp import timestamp_token

            return timestamp_token(answer.read())

    token = ask(b"line", 41)
    assert timestamp_verify(token, b"line", tsa_cert=tsa.cert_der, nonce=41).serial_number == 1
    with pytest.raises(TimestampError, match="nonce is not the one sent"):
        timestamp_verify(token, b"line", tsa_cert=tsa.cert_der, nonce=42)
    with pytest.raises(TimestampError, match="imprint differs"):
        timestamp_verify(token, b"line!", tsa_cert=tsa.cert_der)
    with pytest.raises(TimestampError, match="cannot be read"):
        timestamp_verify(b"\x30\x03\x02\x01", b"line", tsa_cert=tsa.cert_der)
    # a certificate that may not sign time-stamps is refused even with the right key
    key, code_signing = tsa_certificate(time_stamping=False)
    tsa.key, tsa.cert_der = key, code_signing
    token = ask(b"line", 7)
    with pytest.raises(TimestampError, match="may not sign time-stamps"):
        timestamp_verify(token, b"line", tsa_cert=code_signing)


def test_timestamp_lines_refuse_malformed_text() -> None:
    line = timestamp_line('{"a":1}', b"\x30\x00")
    assert timestamp_line_parse(line) == (imprint(b'{"a":1}').hex(), b"\x30\x00")
    for bad in (
        "{}",
        '{"version":"plaint-timestamp/1"}',
        '{"checkpoint":"ab","token":"AA==","version":"plaint-timestamp/1"}',
        '{"checkpoint":"' + "a" * 64 + '","token":"<script>","version":"plaint-timestamp/1"}',
        "[1]",
    ):
        with pytest.raises(TimestampError):
            timestamp_line_parse(bad)
