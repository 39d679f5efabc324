"""RFC 6962 trees: roots, inclusion and consistency proofs against the recursive definition."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from plaint.domain import merkle


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 2.1, word for word."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return merkle.node_hash(_mth(leaves[:k]), _mth(leaves[k:]))


def _leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(f"leaf {i}".encode()) for i in range(n)]


def test_known_vectors() -> None:
    # RFC 6962 leaf and node prefixes: leaf = H(0x00||d), node = H(0x01||l||r)
    assert merkle.leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert merkle.tree_root([]).hex() == hashlib.sha256(b"").hexdigest()


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=70), st.data())
def test_roots_and_inclusion_proofs(n: int, data: st.DataObject) -> None:
    leaves = _leaves(n)
    root = merkle.tree_root(leaves)
    assert root == _mth(leaves)
    index = data.draw(st.integers(min_value=0, max_value=n - 1))
    proof = merkle.inclusion_proof(index, leaves)
    assert merkle.inclusion_verify(index, n, leaves[index], proof, root)
    other = merkle.leaf_hash(b"not in the tree")
    assert not merkle.inclusion_verify(index, n, other, proof, root)
    if n > 1:
        assert not merkle.inclusion_verify((index + 1) % n, n, leaves[index], proof, root)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=70), st.data())
def test_consistency_proofs(n: int, data: st.DataObject) -> None:
    leaves = _leaves(n)
    m = data.draw(st.integers(min_value=1, max_value=n))
    proof = merkle.consistency_proof(m, leaves)
    first, second = merkle.tree_root(leaves[:m]), merkle.tree_root(leaves)
    assert merkle.consistency_verify(m, n, first, second, proof)
    if m < n:
        rewritten = [merkle.leaf_hash(b"rewritten"), *leaves[1:]]
        assert not merkle.consistency_verify(m, n, merkle.tree_root(rewritten[:m]), second, proof)
        assert not merkle.consistency_verify(m, n, first, merkle.tree_root(rewritten), proof)


def test_leaf_text_is_canonical_json() -> None:
    import json

    from plaint.domain.checkpoint import head_leaf, leaf_data

    for reference in ("AC-2026-000001", 'odd "ref" \u202e é'):
        text = json.dumps(
            {"case": reference, "head": "ab" * 32, "length": 7},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        assert leaf_data(reference, 7, "ab" * 32) == text.encode()
        assert head_leaf(reference, 7, "ab" * 32) == merkle.leaf_hash(text.encode())
