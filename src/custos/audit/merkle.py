"""RFC 9162 Merkle tree hashing, inclusion and consistency proofs, and their verifiers."""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha256

EMPTY_ROOT = sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def fold(stack: Sequence[bytes]) -> bytes:
    """The root of a tree from its perfect subtree roots, largest (leftmost) first."""
    if not stack:
        return EMPTY_ROOT
    root = stack[-1]
    for left in reversed(stack[:-1]):
        root = node_hash(left, root)
    return root


class MerkleLevels:
    """All complete nodes of a tree, level by level: levels[j][i] covers leaves [i*2^j, (i+1)*2^j).

    Built with one hash per node in list comprehensions (the fast path of verification);
    the root of any prefix and any proof are then read off without hashing leaves again.
    """

    def __init__(self, leaves: list[bytes]) -> None:
        self.size = len(leaves)
        self.levels: list[list[bytes]] = [leaves]
        level = leaves
        while len(level) > 1:
            level = [
                sha256(b"\x01" + left + right).digest()
                for left, right in zip(level[0::2], level[1::2], strict=False)
            ]
            self.levels.append(level)

    def stack(self, size: int) -> list[bytes]:
        """Perfect subtree roots covering leaves [0, size), largest first."""
        out: list[bytes] = []
        start = 0
        for height in range(size.bit_length() - 1, -1, -1):
            if size >> height & 1:
                out.append(self.levels[height][start >> height])
                start += 1 << height
        return out

    def root(self, size: int | None = None) -> bytes:
        return fold(self.stack(self.size if size is None else size))

    def subtree(self, lo: int, hi: int) -> bytes:
        """MTH of leaves [lo, hi) where lo is aligned as in RFC 9162's recursive split."""
        n = hi - lo
        if n & (n - 1) == 0:
            height = n.bit_length() - 1
            return self.levels[height][lo >> height]
        k = _split(n)
        return node_hash(self.subtree(lo, lo + k), self.subtree(lo + k, hi))

    def inclusion_path(self, index: int, size: int) -> list[bytes]:
        """RFC 9162 2.1.3.1 PATH(index, D[0:size])."""
        if not 0 <= index < size <= self.size:
            raise ValueError("leaf index outside the tree")
        path: list[bytes] = []
        lo, hi = 0, size
        while hi - lo > 1:
            k = _split(hi - lo)
            if index < lo + k:
                path.append(self.subtree(lo + k, hi))
                hi = lo + k
            else:
                path.append(self.subtree(lo, lo + k))
                lo += k
        path.reverse()
        return path

    def consistency_path(self, old: int, new: int) -> list[bytes]:
        """RFC 9162 2.1.4.1 PROOF(old, D[0:new])."""
        if not 0 < old <= new <= self.size:
            raise ValueError("tree sizes outside the tree")
        path: list[bytes] = []
        lo, hi, m, whole = 0, new, old, True
        while m != hi - lo:
            k = _split(hi - lo)
            if m <= k:
                path.append(self.subtree(lo + k, hi))
                hi = lo + k
            else:
                path.append(self.subtree(lo, lo + k))
                lo, m, whole = lo + k, m - k, False
        if not whole:
            path.append(self.subtree(lo, hi))
        path.reverse()
        return path


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2; equal sizes are consistent with an empty proof and equal roots."""
    if not 0 < old <= new:
        return False
    if old == new:
        return not path and old_root == new_root
    if not path:
        return False
    proof = list(path)
    if old & (old - 1) == 0:
        proof.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
