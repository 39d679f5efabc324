"""Checkpoints: signed RFC 6962 roots over the chain heads, consistent with each other, and
`plaint verify --against` catching a chain rewritten together with its stored head."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError

from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import CaseEvent
from plaint.domain.checkpoint import checkpoint_parse, signature_valid
from plaint.records.anchoring import checkpoint_path, checkpoint_write, checkpoints_verify
from plaint.records.models import AnchorLeaf
from plaint.records.verify_pack import ed25519_verify
from tests.conftest import NOW, open_case
from tests.records.conftest import chain_rewrite

LATER = NOW + timedelta(hours=1)


def _verify(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("verify", "--workers", "1", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_checkpoints_append_only_the_heads_that_moved(case, org, agent) -> None:
    other = open_case(org, agent)
    first = checkpoint_write(organisation=org, now=NOW)
    assert first.tree_size == 2 and signature_valid(first)
    again = checkpoint_write(organisation=org, now=LATER)
    assert again.tree_size == 2 and again.root == first.root
    services.case_note_add(case=other, text="more", actor=Actor.staff(agent), now=LATER)
    third = checkpoint_write(organisation=org, now=LATER)
    assert third.tree_size == 3
    lines = checkpoint_path(org).read_text().splitlines()
    assert [checkpoint_parse(line).tree_size for line in lines] == [2, 2, 3]
    report = checkpoints_verify(lines)
    assert report.ok and report.checkpoints == 3


def test_whole_chain_rewrite_passes_plain_verify_and_fails_against_the_checkpoint(
    case, org, agent
) -> None:
    services.case_note_add(case=case, text="We got it wrong.", actor=Actor.staff(agent), now=NOW)
    checkpoint_write(organisation=org, now=LATER)
    path = checkpoint_path(org)
    out, _ = _verify("--against", str(path))
    assert "Anchors verified: 1 checkpoint(s)" in out
    note = CaseEvent.objects.get(case=case, seq=2)
    chain_rewrite(case, 2, note.clear_payload.replace("We got it wrong.", "All was fine."))
    out, _ = _verify()  # the attack that passes the hash check
    assert "Ledger verified" in out and "Rows verified" in out
    with pytest.raises(CommandError, match="checkpoint problem"):
        _verify("--against", str(path))
    report = checkpoints_verify(path.read_text().splitlines())
    assert any(f"{case.reference} event #2" in p and "rewritten" in p for p in report.problems)


def test_rewritten_anchor_log_and_forged_lines_are_caught(case, org, agent) -> None:
    checkpoint_write(organisation=org, now=NOW)
    services.case_note_add(case=case, text="n", actor=Actor.staff(agent), now=LATER)
    checkpoint_write(organisation=org, now=LATER)
    lines = checkpoint_path(org).read_text().splitlines()
    original = AnchorLeaf.objects.get(organisation=org, index=0).leaf_hash
    AnchorLeaf.objects.filter(organisation=org, index=0).update(leaf_hash="00" * 32)
    problems = checkpoints_verify(lines).problems
    assert any("no longer has the root of checkpoint 1" in p for p in problems)
    AnchorLeaf.objects.filter(organisation=org, index=0).update(leaf_hash=original)
    forged = json.loads(lines[-1])
    forged["root"] = "11" * 32
    problems = checkpoints_verify([lines[0], json.dumps(forged)]).problems
    assert problems == ["line 2: the signature does not verify"]
    assert checkpoints_verify(["not json"]).problems[0].startswith("line 1: unreadable")


def test_consistency_between_checkpoints_is_checked(case, org, agent) -> None:
    checkpoint_write(organisation=org, now=NOW)
    services.case_note_add(case=case, text="n", actor=Actor.staff(agent), now=LATER)
    checkpoint_write(organisation=org, now=LATER)
    lines = checkpoint_path(org).read_text().splitlines()
    # history rewritten between the two: a new log whose first leaf differs, re-signed
    # with the organisation's key (an insider with the key and the database)
    AnchorLeaf.objects.filter(organisation=org, index=0).update(leaf_hash="22" * 32)
    from plaint.domain.merkle import tree_root
    from plaint.records.anchoring import sign

    leaves = [
        bytes.fromhex(h)
        for h in AnchorLeaf.objects.filter(organisation=org)
        .order_by("index")
        .values_list("leaf_hash", flat=True)
    ]
    resigned = sign(org, tree_size=2, root=tree_root(leaves), now=LATER).line()
    problems = checkpoints_verify([lines[0], resigned]).problems
    assert any("no longer has the root of checkpoint 1" in p for p in problems)
    assert any("checkpoint 2 is not consistent with checkpoint 1" in p for p in problems)


def test_the_shipped_ed25519_verifier_agrees_with_cryptography() -> None:
    from cryptography.hazmat.primitives import serialization

    for n in range(4):
        key = Ed25519PrivateKey.generate()
        public = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        message = f"checkpoint {n}".encode()
        signature = key.sign(message)
        assert ed25519_verify(public, message, signature)
        assert not ed25519_verify(public, message + b"!", signature)
        assert not ed25519_verify(public, message, bytes(64))


def test_checkpoint_command_writes_every_organisation(case, org, other_org) -> None:
    out = io.StringIO()
    call_command("checkpoint", stdout=out)
    assert "acme: checkpoint of 1 anchored head(s)" in out.getvalue()
    assert "globex: checkpoint of 0 anchored head(s)" in out.getvalue()
    with pytest.raises(CommandError, match="no organisation"):
        call_command("checkpoint", "--org", "nope")


def test_daily_checkpoints_are_due_once_a_day(case, org, other_org) -> None:
    from plaint.records.tasks import checkpoints_due, checkpoints_due_task

    assert checkpoints_due(now=NOW) == ["acme", "globex"]
    assert checkpoints_due(now=NOW + timedelta(hours=23)) == []
    assert checkpoints_due_task.call(now=(NOW + timedelta(days=1)).isoformat()) == [
        "acme",
        "globex",
    ]
