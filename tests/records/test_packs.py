"""Evidence packs: verified by both verifiers, reproducible, and every kind of tampering
caught and named."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from plaint.cases.ledger import Actor
from plaint.cases.models import CaseEvent
from plaint.domain.pack import pack_verify, zip_build
from plaint.records.anchoring import checkpoint_write
from plaint.records.packs import case_pack_build, case_pack_export
from plaint.records.verify_pack import verify as standalone_verify
from tests.conftest import NOW

EXPORTED = NOW + timedelta(hours=2)


def _entries(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist()}


def _both(data: bytes) -> tuple[list[str], list[str]]:
    ours = [f"{name}: {reason}" for name, reason in pack_verify(data).problems]
    theirs, _ = standalone_verify(data)
    return ours, theirs


def _rezip(entries: dict[str, bytes], **changes: bytes) -> bytes:
    return zip_build({**entries, **changes})


def test_pack_holds_the_record_and_both_verifiers_accept_it(full_case, org) -> None:
    checkpoint_write(organisation=org, now=NOW + timedelta(hours=1))
    pack = case_pack_build(case=full_case, exported_at=EXPORTED)
    entries = _entries(pack.data)
    names = sorted(entries)
    assert (
        names == sorted(names) and list(zipfile.ZipFile(io.BytesIO(pack.data)).namelist()) == names
    )
    evidence = [n for n in names if n.startswith("evidence/")]
    letters = [n for n in names if n.startswith("letters/")]
    assert len(evidence) == 2 and len(letters) == 2
    for name in evidence:
        assert hashlib.sha256(entries[name]).hexdigest() == name.split("/")[1]
    assert {"manifest.json", "ledger.jsonl", "case.json", "timeline.pdf", "proof.json",
            "verify_pack.py", "README.txt"} <= set(names)  # fmt: skip
    assert entries["timeline.pdf"].startswith(b"%PDF-")
    lines = entries["ledger.jsonl"].decode().splitlines()
    assert len(lines) == full_case.ledger_length
    assert _both(pack.data) == ([], [])
    report = pack_verify(pack.data)
    assert any("Anchored: events 1 to" in note for note in report.notes)
    facts = json.loads(entries["case.json"])["facts"]
    assert facts["order_number"] == "INV-12345"


def test_shipped_script_runs_with_the_standard_library_alone(full_case, org, tmp_path) -> None:
    checkpoint_write(organisation=org, now=NOW + timedelta(hours=1))
    pack = case_pack_build(case=full_case, exported_at=EXPORTED)
    path = tmp_path / "pack.zip"
    path.write_bytes(pack.data)
    script = tmp_path / "verify_pack.py"
    script.write_bytes(_entries(pack.data)["verify_pack.py"])
    # -I: isolated (no site-packages, no PYTHONPATH), -S: no site module
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(script), str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Pack verified" in done.stdout and "Ed25519 key" in done.stdout
    broken = _rezip(_entries(pack.data), **{"ledger.jsonl": b"{}\n"})
    path.write_bytes(broken)
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(script), str(path)], capture_output=True, text=True
    )
    assert done.returncode == 1 and "FAIL ledger.jsonl" in done.stdout


def test_same_case_exported_twice_differs_only_in_the_export_time(full_case, org) -> None:
    first = case_pack_build(case=full_case, exported_at=EXPORTED)
    second = case_pack_build(case=full_case, exported_at=EXPORTED + timedelta(days=3))
    a, b = _entries(first.data), _entries(second.data)
    assert set(a) == set(b)
    assert [n for n in a if a[n] != b[n]] == ["manifest.json"]
    ma, mb = json.loads(a["manifest.json"]), json.loads(b["manifest.json"])
    assert ma.pop("exported_at") != mb.pop("exported_at")
    assert ma == mb
    assert case_pack_build(case=full_case, exported_at=EXPORTED).data == first.data


def _tamper_case(full_case, org):  # type: ignore[no-untyped-def]
    checkpoint_write(organisation=org, now=NOW + timedelta(hours=1))
    pack = case_pack_build(case=full_case, exported_at=EXPORTED)
    return _entries(pack.data)


def _manifested(entries: dict[str, bytes], name: str, body: bytes) -> bytes:
    """Replace a file and fix up the manifest, as a careful forger would."""
    changed = {**entries, name: body}
    manifest = json.loads(entries["manifest.json"])
    for f in manifest["files"]:
        if f["path"] == name:
            f["sha256"], f["size"] = hashlib.sha256(body).hexdigest(), len(body)
    changed["manifest.json"] = json.dumps(manifest).encode()
    return zip_build(changed)


def test_tampering_is_caught_and_named_per_file_kind(full_case, org) -> None:
    entries = _tamper_case(full_case, org)
    evidence = next(n for n in entries if n.startswith("evidence/"))
    letter = next(n for n in entries if n.startswith("letters/"))
    lines = entries["ledger.jsonl"].decode().splitlines()
    note = json.loads(lines[1])
    note["payload"] = json.dumps({"text": "External"}, separators=(",", ":"))
    forged_ledger = "\n".join([lines[0], json.dumps(note), *lines[2:]]).encode() + b"\n"
    case_json = json.loads(entries["case.json"])
    case_json["facts"]["amount_in_dispute"] = "8420.00"
    proof = json.loads(entries["proof.json"])
    proof["checkpoint"]["root"] = "00" * 32
    cases = {
        # file replaced, manifest left alone: the manifest's hash names it
        "evidence": (_rezip(entries, **{evidence: b"a forged bill"}), evidence),
        "letter": (_rezip(entries, **{letter: b"a forged letter"}), letter),
        "timeline": (_rezip(entries, **{"timeline.pdf": b"%PDF-1.4 forged"}), "timeline.pdf"),
        # file replaced and the manifest fixed up: the events' hashes name it
        "evidence, manifest fixed": (_manifested(entries, evidence, b"forged"), evidence),
        "letter, manifest fixed": (_manifested(entries, letter, b"forged"), letter),
        "ledger, manifest fixed": (
            _manifested(entries, "ledger.jsonl", forged_ledger),
            "ledger.jsonl",
        ),
        "proof, manifest fixed": (
            _manifested(entries, "proof.json", json.dumps(proof).encode()),
            "proof.json",
        ),
        "file removed": (zip_build({n: b for n, b in entries.items() if n != evidence}), evidence),
        "file added": (_rezip(entries, **{"evidence/extra": b"x"}), "evidence/extra"),
    }
    for label, (data, name) in cases.items():
        ours, theirs = _both(data)
        assert any(p.startswith(name) for p in ours), (label, ours)
        assert any(p.startswith(name) for p in theirs), (label, theirs)
    ours, _ = _both(_manifested(entries, "case.json", json.dumps(case_json).encode()))
    assert ours == ["case.json: amount_in_dispute is '8420.00'; the events say '84.20'"]


def test_a_chain_rewritten_in_the_database_is_caught_by_the_packs_proof(full_case, org) -> None:
    from tests.records.conftest import chain_rewrite

    checkpoint_write(organisation=org, now=NOW + timedelta(hours=1))
    note = CaseEvent.objects.get(case=full_case, seq=2)
    chain_rewrite(full_case, 2, note.clear_payload.replace("Internal", "Harmless"))
    full_case.refresh_from_db()
    pack = case_pack_build(case=full_case, exported_at=EXPORTED)
    ours, theirs = _both(pack.data)
    assert any("chain was rewritten" in p for p in ours)
    assert any("not the anchored head" in p for p in theirs)


def test_export_is_on_the_ledger_and_the_cli_and_desk_make_packs(
    full_case, org, agent, tmp_path
) -> None:
    pack = case_pack_export(case=full_case, actor=Actor.staff(agent), now=EXPORTED)
    last = CaseEvent.objects.filter(case=full_case).order_by("-seq").first()
    assert last is not None and last.kind == "case_exported" and last.visibility == "internal"
    assert json.loads(last.clear_payload)["manifest_sha256"] == pack.manifest_sha256
    out = io.StringIO()
    target = tmp_path / "p.zip"
    call_command(
        "case", "export", full_case.reference, "--org", "acme", "-o", str(target), stdout=out
    )
    assert "evidence pack of" in out.getvalue()
    out = io.StringIO()
    call_command("verify-pack", str(target), stdout=out)
    assert "Pack verified" in out.getvalue()
    bad = tmp_path / "bad.zip"
    bad.write_bytes(_rezip(_entries(target.read_bytes()), **{"timeline.pdf": b"x"}))
    err = io.StringIO()
    with pytest.raises(CommandError, match="FAILED"):
        call_command("verify-pack", str(bad), stderr=err)
    assert "FAIL timeline.pdf" in err.getvalue()
    from django.test import Client

    client = Client()
    assert client.login(username="alice", password="pw-alice-123")
    response = client.post(f"/records/cases/{full_case.reference}/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert pack_verify(response.content).ok
    assert client.get(f"/records/cases/{full_case.reference}/export/").status_code == 405


def test_customer_pack_withholds_internal_events_yet_verifies(full_case, org) -> None:
    checkpoint_write(organisation=org, now=NOW + timedelta(hours=1))
    pack = case_pack_build(case=full_case, exported_at=EXPORTED, audience="customer")
    entries = _entries(pack.data)
    text = b"".join(entries.values())
    assert b"meter readings" not in text and b"check the meter" not in text
    assert b"meter photo notes" not in text  # the internal file is not in it
    assert not any("meter.txt" in n for n in entries)
    withheld = [json.loads(x) for x in entries["ledger.jsonl"].decode().splitlines()]
    assert any(line.get("withheld") for line in withheld)
    assert _both(pack.data) == ([], [])
    facts = json.loads(entries["case.json"])["facts"]
    assert "assignee_id" not in facts and "root_cause" not in facts


def test_customer_downloads_their_pack_from_the_portal(full_case, org) -> None:
    from django.test import Client

    from tests.portal.helpers import portal_token

    checkpoint_write(organisation=org, now=NOW + timedelta(hours=1))
    client = Client()
    page = client.get(f"/complain/acme/case/{portal_token(full_case)}/")
    assert page.status_code == 200 and b"Download my record" in page.content
    grant = page.content.decode().split('name="grant" value="', 1)[1].split('"', 1)[0]
    response = client.post("/records/customer-pack/", {"grant": grant})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    report = pack_verify(response.content)
    assert report.ok, report.problems
    manifest = json.loads(_entries(response.content)["manifest.json"])
    assert manifest["audience"] == "customer"
    last = CaseEvent.objects.filter(case=full_case).order_by("-seq").first()
    assert last is not None and last.kind == "case_exported" and last.actor_kind == "customer"
    assert client.post("/records/customer-pack/", {"grant": grant + "x"}).status_code == 410
    assert client.post("/records/customer-pack/", {"grant": ""}).status_code == 410


def test_hostile_text_goes_into_a_pack_as_text(case, agent, org) -> None:
    from plaint.cases import services

    hostile = '<script>alert(1)</script> {{ 7*7 }} \u202egnp.exe\n"quoted" \\ back'
    actor = Actor.staff(agent)
    services.case_note_add(case=case, text=hostile, actor=actor, now=NOW)
    services.case_evidence_attach(
        case=case,
        stream=io.BytesIO(b"plain words"),
        filename="../../etc/passwd.txt",
        content_type="text/plain",
        actor=actor,
        now=NOW,
    )
    case.refresh_from_db()
    pack = case_pack_build(case=case, exported_at=EXPORTED)
    entries = _entries(pack.data)
    assert not any(".." in name or name.startswith("/") for name in entries)
    assert _both(pack.data) == ([], [])
    facts = json.loads(entries["case.json"])
    assert facts["evidence"][0]["filename"] == "passwd.txt"
    note = json.loads(entries["ledger.jsonl"].decode().splitlines()[1])
    assert set(json.loads(note["payload"])["text"]) == {"commit"}
    [datum] = [
        json.loads(line)
        for line in entries["personal.jsonl"].decode().splitlines()
        if json.loads(line)["seq"] == 2
    ]
    assert json.loads(datum["value"]) == hostile.strip()
