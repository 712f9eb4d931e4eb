"""RFC 9162 Merkle hashing and proofs against the published CT vectors and a reference MTH."""

from __future__ import annotations

import pytest

from custos.audit.merkle import (
    EMPTY_ROOT,
    MerkleLevels,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

CT_DATA = [
    bytes.fromhex(h)
    for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
              "606162636465666768696a6b6c6d6e6f")
]  # fmt: skip
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip


def reference_root(leaves: list[bytes]) -> bytes:
    """MTH straight from the RFC text, recursive and slow."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


def synthetic_leaves(n: int) -> list[bytes]:
    return [leaf_hash(f"event-{i}".encode()) for i in range(n)]


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_published_ct_vectors(size: int) -> None:
    levels = MerkleLevels([leaf_hash(d) for d in CT_DATA])
    assert levels.root(size).hex() == CT_ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "path"), CT_INCLUSION)
def test_inclusion_paths_match_the_published_ct_vectors(
    index: int, size: int, path: list[str]
) -> None:
    levels = MerkleLevels([leaf_hash(d) for d in CT_DATA])
    assert [p.hex() for p in levels.inclusion_path(index, size)] == path


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert MerkleLevels([]).root() == EMPTY_ROOT


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 31, 32, 33, 64, 100])
def test_every_prefix_root_equals_the_reference(n: int) -> None:
    leaves = synthetic_leaves(n)
    levels = MerkleLevels(leaves)
    assert all(levels.root(m) == reference_root(leaves[:m]) for m in range(1, n + 1))


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33])
def test_every_inclusion_proof_verifies_and_a_wrong_one_does_not(size: int) -> None:
    leaves = synthetic_leaves(40)
    levels = MerkleLevels(leaves)
    root = levels.root(size)
    for index in range(size):
        path = levels.inclusion_path(index, size)
        assert verify_inclusion(leaves[index], index, size, path, root)
        assert not verify_inclusion(leaf_hash(b"forged"), index, size, path, root)
        if size > 1:
            assert not verify_inclusion(leaves[index], (index + 1) % size, size, path, root)
    assert not verify_inclusion(leaves[0], size, size, [], root)


@pytest.mark.parametrize("new", [1, 2, 3, 4, 6, 7, 8, 9, 15, 16, 21])
def test_every_consistency_proof_verifies_and_a_forked_one_does_not(new: int) -> None:
    leaves = synthetic_leaves(new)
    levels = MerkleLevels(leaves)
    rewritten_tail = MerkleLevels([*leaves[:-1], leaf_hash(b"rewritten")])
    rewritten_head = MerkleLevels([leaf_hash(b"rewritten"), *leaves[1:]])
    for old in range(1, new + 1):
        path = levels.consistency_path(old, new)
        assert verify_consistency(old, new, levels.root(old), levels.root(new), path)
        assert not verify_consistency(old, new, levels.root(old), rewritten_tail.root(new), path)
        assert not verify_consistency(old, new, rewritten_head.root(old), levels.root(new), path)


@pytest.mark.parametrize(("old", "new"), [(0, 3), (4, 3), (-1, 2)])
def test_consistency_refuses_impossible_sizes(old: int, new: int) -> None:
    assert not verify_consistency(old, new, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])
    with pytest.raises(ValueError, match="tree sizes"):
        MerkleLevels(synthetic_leaves(4)).consistency_path(old, new)
