"""Checks one aligned range of events: contiguity, leaf and chain hashes, and its Merkle nodes.

A range holds CHUNK events starting at a multiple of CHUNK (a power of two), so its
nodes are whole subtrees of the global tree and ranges can be checked in separate
processes, then joined by `verify.py` with a handful of hashes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from hashlib import sha256

from sqlalchemy import Engine

from custos.audit.chain import GENESIS, SEQ
from custos.audit.merkle import MerkleLevels
from custos.audit.model import Problem, ProblemCode
from custos.storage.engine import make_engine
from custos.storage.repositories.audit import RawReader, RawRow

CHUNK = 1 << 16


@dataclass(slots=True)
class ChunkResult:
    """What one range found: its first problem, and the subtree stacks the joiner needs."""

    index: int
    leaves: int
    problem: Problem | None = None
    root: bytes | None = None
    stacks: dict[int, list[bytes]] = field(default_factory=dict)
    last_chain: bytes | None = None


@dataclass(frozen=True, slots=True)
class ChunkJob:
    """One range to check: chunk `index` of a log of `last_seq` events, cut every `chunk`.

    With `chain` off the chain hashes are not recomputed: contents are still hashed into
    the Merkle levels, and the caller checks those against the signed roots and the head.
    """

    index: int
    last_seq: int
    sizes: tuple[int, ...]
    chunk: int
    chain: bool = True


def chunk_bounds(index: int, chunk: int) -> tuple[int, int]:
    """First and last seq of chunk `index` (seq is 1-based, leaf index = seq - 1)."""
    return index * chunk + 1, (index + 1) * chunk


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC: a chunk allocates ~300k acyclic objects, and the collector,
    triggered every 700 allocations, would walk them again and again (2-3x slower).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check_chunk(reader: RawReader, job: ChunkJob) -> ChunkResult:
    with gc_paused():
        return _check_chunk(reader, job)


def _check_chunk(reader: RawReader, job: ChunkJob) -> ChunkResult:
    index = job.index
    low, high = chunk_bounds(index, job.chunk)
    high = min(high, job.last_seq)
    rows = reader.rows(max(low - 1, 1), high)
    previous = GENESIS
    if low > 1:
        if rows and rows[0][0] == low - 1:
            previous = rows[0][2]
            rows = rows[1:]
        else:  # the chunk before reports the missing event; nothing to chain from here
            return ChunkResult(index, 0, _missing(low - 1))
    return _check_rows(job, (low, high), rows, previous)


def _check_rows(
    job: ChunkJob, bounds: tuple[int, int], rows: list[RawRow], previous: bytes
) -> ChunkResult:
    low, high = bounds
    seqs, bodies, chains = zip(*rows, strict=True) if rows else ((), (), ())
    try:
        leaves = [sha256(b"\x00" + body).digest() for body in bodies]
        b"".join((previous, *chains))  # raises TypeError unless every chain hash is bytes
    except TypeError:  # a column rewritten with another type: compare it as bytes, then fail
        bodies, chains = tuple(map(_as_bytes, bodies)), tuple(map(_as_bytes, chains))
        leaves = [sha256(b"\x00" + body).digest() for body in bodies]
    result = ChunkResult(job.index, len(leaves), last_chain=chains[-1] if chains else None)
    if seqs != tuple(range(low, low + len(seqs))) or len(seqs) != high - low + 1:
        result.problem = _missing(_first_gap(seqs, low))
    if job.chain:
        bad = _first_chain_mismatch(previous, seqs, leaves, chains)
        if bad is not None and (result.problem is None or bad < result.problem.seq):
            result.problem = Problem(
                ProblemCode.CHAIN_MISMATCH,
                bad,
                f"event {bad} does not match its chain hash "
                "(edited, inserted, reordered or its predecessor changed)",
            )
    levels = MerkleLevels(leaves)
    if len(leaves) == job.chunk:
        result.root = levels.root()
    for size in job.sizes:
        local = size - (low - 1)
        if 0 < local <= len(leaves):
            result.stacks[size] = levels.stack(local)
    return result


def _first_chain_mismatch(
    previous: bytes, seqs: Sequence[int], leaves: list[bytes], chains: Sequence[bytes]
) -> int | None:
    pack = SEQ.pack
    recomputed = [
        sha256(prev + pack(seq) + leaf).digest()
        for prev, seq, leaf in zip((previous, *chains[:-1]), seqs, leaves, strict=True)
    ]
    if recomputed == list(chains):
        return None
    return next(s for s, a, b in zip(seqs, recomputed, chains, strict=True) if a != b)


def _as_bytes(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    return repr(value).encode()


def _first_gap(seqs: Sequence[int], low: int) -> int:
    for offset, seq in enumerate(seqs):
        if seq != low + offset:
            return low + offset
    return low + len(seqs)


def _missing(seq: int) -> Problem:
    return Problem(ProblemCode.MISSING_EVENT, seq, f"event {seq} is missing (deleted or cut)")


# -- worker processes -----------------------------------------------------------------------

_ENGINES: dict[str, Engine] = {}


def check_chunk_in_worker(url: str, job: ChunkJob) -> ChunkResult:
    """Entry point for a pool process: opens (once) its own engine on the same database."""
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _ENGINES[url] = make_engine(url)
    raw = engine.raw_connection()
    try:
        reader = RawReader(raw.dbapi_connection, engine.dialect.paramstyle)
        return check_chunk(reader, job)
    finally:
        raw.close()
