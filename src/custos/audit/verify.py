"""Verification of the whole log: events, chain, head, Merkle roots and signed checkpoints.

Every finding becomes a `Problem` with the sequence number it implicates; the report
names the earliest. A checkpoint whose root no longer matches names the first event it
alone vouches for, since a re-hashed log can only be told apart by its signed roots.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from custos.audit import scan
from custos.audit.checkpoints import is_signed_by
from custos.audit.merkle import MerkleLevels, fold
from custos.audit.model import Checkpoint, Problem, ProblemCode, VerificationReport
from custos.audit.ports import Signer
from custos.storage.repositories import audit as repo
from custos.subprocesses import exit_with_parent, start_context

PARALLEL_MIN_EVENTS = 2 * scan.CHUNK
_ORDER = {code: rank for rank, code in enumerate(ProblemCode)}


@dataclass(frozen=True, slots=True)
class Snapshot:
    head: repo.HeadRow | None
    low: int
    high: int
    checkpoints: list[Checkpoint]


def take_snapshot(conn: Connection) -> Snapshot:
    head = repo.read_head(conn)
    low, high, _count = repo.seq_bounds(conn)
    rows = repo.checkpoints(conn)
    cps = [Checkpoint(r.tree_size, r.root, r.signed_at, r.key_id, r.signature) for r in rows]
    return Snapshot(head, low, high, cps)


def verify_log(
    source: Engine | Connection,
    signer: Signer,
    interval: int,
    exported: Sequence[Checkpoint] = (),
    workers: int | None = None,
    *,
    full_chain: bool = True,
) -> VerificationReport:
    """Check everything; an Engine may be scanned by several processes, a Connection is not.

    With `full_chain=False` every event is still hashed and checked against the signed
    roots and the head's Merkle frontier, but stored chain hashes are only recomputed when
    that fails, to name the exact event: a third fewer hashes, and an edit confined to the
    derived chain_hash column (no event changed) goes unreported.
    """
    if isinstance(source, Engine):
        with source.connect() as conn:
            snapshot = take_snapshot(conn)
            conn.rollback()
    else:
        snapshot = take_snapshot(source)
    run = _Run(source, snapshot, signer, interval, exported, workers)
    report = run.report(chain=full_chain)
    if not full_chain and report.problem is not None and report.problem.code in _LOCATE:
        report = run.report(chain=True)
    return report


_LOCATE = (ProblemCode.ROOT_MISMATCH, ProblemCode.HEAD_MISMATCH)


@dataclass(frozen=True, slots=True)
class _Run:
    source: Engine | Connection
    snapshot: Snapshot
    signer: Signer
    interval: int
    exported: Sequence[Checkpoint]
    workers: int | None

    def report(self, *, chain: bool) -> VerificationReport:
        snap = self.snapshot
        sizes = sorted({c.tree_size for c in (*snap.checkpoints, *self.exported)} | {snap.high})
        chunks = _scan(self.source, snap.high, sizes, self.workers, chain)
        finder = _Findings(snap, _roots(chunks, sizes), chunks, self.signer)
        finder.check_head(self.interval)
        finder.check_checkpoints(self.exported)
        finder.check_frontier()
        problem = min(finder.problems, key=lambda p: (p.seq, _ORDER[p.code]), default=None)
        return VerificationReport(
            events_checked=sum(c.leaves for c in chunks),
            checkpoints_checked=len(snap.checkpoints) + len(self.exported),
            tree_size=snap.high,
            problem=problem,
        )


def _scan(
    source: Engine | Connection,
    last_seq: int,
    sizes: list[int],
    workers: int | None,
    chain: bool,
) -> list[scan.ChunkResult]:
    chunk = scan.CHUNK
    jobs = [
        scan.ChunkJob(i, last_seq, _sizes_in(sizes, i, chunk), chunk, chain)
        for i in range(-(-last_seq // chunk))
    ]
    workers = workers or min(len(os.sched_getaffinity(0)), 8)
    url = repo.engine_url(source) if isinstance(source, Engine) else None
    if url is not None and workers > 1 and last_seq >= PARALLEL_MIN_EVENTS:
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=start_context(),
            initializer=exit_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            futures = [pool.submit(scan.check_chunk_in_worker, url, job) for job in jobs]
            return [future.result() for future in futures]
    if isinstance(source, Engine):
        with source.connect() as conn:
            return _scan_here(conn, jobs)
    return _scan_here(source, jobs)


def _sizes_in(sizes: list[int], index: int, chunk: int) -> tuple[int, ...]:
    low, high = scan.chunk_bounds(index, chunk)
    return tuple(s for s in sizes if low <= s <= high)


def _scan_here(conn: Connection, jobs: list[scan.ChunkJob]) -> list[scan.ChunkResult]:
    reader = repo.RawReader.on(conn)
    return [scan.check_chunk(reader, job) for job in jobs]


def _roots(chunks: list[scan.ChunkResult], sizes: list[int]) -> dict[int, bytes]:
    """Merkle roots at the requested sizes, joined from whole-chunk roots and chunk stacks."""
    full: list[bytes] = []
    for chunk in chunks:
        if chunk.root is None:
            break
        full.append(chunk.root)
    upper = MerkleLevels(full)
    roots: dict[int, bytes] = {}
    for size in sizes:
        index = (size - 1) // scan.CHUNK
        if size < 1 or index >= len(chunks) or index > len(full):
            continue
        local = chunks[index].stacks.get(size)
        if local is not None:
            roots[size] = fold(upper.stack(index) + local)
    return roots


class _Findings:
    def __init__(
        self,
        snapshot: Snapshot,
        roots: dict[int, bytes],
        chunks: list[scan.ChunkResult],
        signer: Signer,
    ) -> None:
        self.snap = snapshot
        self.roots = roots
        self.signer = signer
        self.problems = [c.problem for c in chunks if c.problem is not None]
        # A root mismatch at or after an event-level problem is explained by that problem.
        self.first_event_problem = min((p.seq for p in self.problems), default=None)
        self.last_chain = chunks[-1].last_chain if chunks else None

    def add(self, code: ProblemCode, seq: int, message: str) -> None:
        self.problems.append(Problem(code, seq, message))

    def explained(self, size: int) -> bool:
        return self.first_event_problem is not None and self.first_event_problem <= size

    def check_head(self, interval: int) -> None:
        snap, n = self.snap, self.snap.high
        if snap.low < 1 and n > 0:
            self.add(ProblemCode.UNEXPECTED_EVENT, snap.low, f"event {snap.low} is before seq 1")
        head = snap.head
        if head is None:
            if n > 0:
                self.add(ProblemCode.HEAD_MISMATCH, n, "the audit head row is missing")
            return
        if head.seq > n:
            self.add(ProblemCode.TRUNCATED, n + 1, f"head says {head.seq} events, {n} remain")
        elif head.seq < n:
            self.add(ProblemCode.UNEXPECTED_EVENT, head.seq + 1, f"events after head {head.seq}")
        elif n and head.chain_hash != self.last_chain:
            self.add(ProblemCode.HEAD_MISMATCH, n, f"head chain hash differs from event {n}")
        self._check_schedule(head, interval)

    def check_frontier(self) -> None:
        """Last, and only if all else is sound: the head's Merkle frontier is derived data."""
        head, n = self.snap.head, self.snap.high
        if self.problems or head is None or not n:
            return
        if _frontier_root(head.frontier) != self.roots.get(n):
            self.add(ProblemCode.HEAD_MISMATCH, n, "head Merkle frontier differs from the events")

    def _check_schedule(self, head: repo.HeadRow, interval: int) -> None:
        sizes = [c.tree_size for c in self.snap.checkpoints]
        latest = max(sizes, default=0)
        if head.checkpoint_size and head.checkpoint_size not in sizes:
            before = max((s for s in sizes if s < head.checkpoint_size), default=0)
            self.add(
                ProblemCode.CHECKPOINT_MISSING,
                before + 1,
                f"the checkpoint at tree size {head.checkpoint_size} was removed",
            )
        if min(head.seq, self.snap.high) - latest >= interval:
            self.add(
                ProblemCode.CHECKPOINT_MISSING,
                latest + 1,
                f"no signed checkpoint after tree size {latest} (interval {interval})",
            )

    def check_checkpoints(self, exported: Sequence[Checkpoint]) -> None:
        stored = {c.tree_size: c for c in self.snap.checkpoints}
        for cp in self.snap.checkpoints:
            self._check_one(cp, "stored", compare_root=True)
        seen: dict[int, bytes] = {}
        for cp in exported:
            other = stored.get(cp.tree_size)
            earlier = seen.setdefault(cp.tree_size, cp.root)
            # Two signed roots for one size is the sharper finding than "events differ".
            if earlier != cp.root:
                self._conflict(cp.tree_size, "the exported file")
            elif other is not None and other.root != cp.root:
                self._conflict(cp.tree_size, "the database and the exported file")
            elif other is None and cp.tree_size <= self.snap.high:
                self.add(
                    ProblemCode.CHECKPOINT_MISSING,
                    cp.tree_size,
                    f"exported checkpoint at tree size {cp.tree_size} is not in the database",
                )
            self._check_one(cp, "exported", compare_root=other is None and earlier == cp.root)

    def _conflict(self, size: int, where: str) -> None:
        self.add(ProblemCode.CONFLICTING_ROOTS, size, f"two roots for tree size {size} in {where}")

    def _check_one(self, cp: Checkpoint, origin: str, *, compare_root: bool) -> None:
        size, n = cp.tree_size, self.snap.high
        if self.signer.public_key_for(cp.key_id) is None:
            self.add(ProblemCode.UNKNOWN_KEY, size, f"{origin} checkpoint {size}: unknown key")
        elif not is_signed_by(cp, self.signer):
            self.add(ProblemCode.BAD_SIGNATURE, size, f"{origin} checkpoint {size}: bad signature")
        if size > n:
            self.add(
                ProblemCode.TRUNCATED,
                n + 1,
                f"{origin} checkpoint vouches for {size} events, only {n} remain",
            )
        elif compare_root and not self.explained(size) and self.roots.get(size) != cp.root:
            start = max((s for s in self._sizes() if s < size), default=0) + 1
            self.add(
                ProblemCode.ROOT_MISMATCH,
                start,
                f"events {start}..{size} differ from the {origin} signed checkpoint at {size}",
            )

    def _sizes(self) -> set[int]:
        return {c.tree_size for c in self.snap.checkpoints if c.tree_size <= self.snap.high}


def _frontier_root(frontier: bytes) -> bytes:
    return fold([frontier[i : i + 32] for i in range(0, len(frontier), 32)])
