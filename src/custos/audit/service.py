"""The audit log service: append inside the caller's transaction, sign, verify, prove, export."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Connection, Engine

from custos.audit import checkpoints as cpfile
from custos.audit.canonical import event_body, format_time
from custos.audit.chain import GENESIS, chain_hash
from custos.audit.errors import AuditEmpty, AuditIntegrityError, AuditRangeError
from custos.audit.merkle import MerkleLevels, fold, leaf_hash, node_hash
from custos.audit.model import (
    AuditEvent,
    Checkpoint,
    ConsistencyProof,
    InclusionProof,
    VerificationReport,
)
from custos.audit.ports import Signer
from custos.audit.verify import verify_log
from custos.clock import Clock
from custos.storage.repositories import audit as repo

_HASH = 32


class AuditLog:
    """Append-only, hash-chained, Merkle-checkpointed event log (DESIGN decision 5).

    `append` runs on the caller's connection, so the event commits or rolls back with the
    operation it records; if it raises, the operation must fail too (fail closed).
    """

    def __init__(self, signer: Signer, clock: Clock, checkpoint_interval: int = 1000) -> None:
        if checkpoint_interval < 1:
            raise ValueError("checkpoint_interval must be at least 1")
        self.signer = signer
        self.clock = clock
        self.checkpoint_interval = checkpoint_interval

    def __repr__(self) -> str:
        return f"AuditLog(key_id={self.signer.key_id}, interval={self.checkpoint_interval})"

    def append(self, conn: Connection, event: AuditEvent) -> int:
        """Record `event` as the next seq; signs a checkpoint every `checkpoint_interval` events."""
        return self.append_many(conn, [event])[-1]

    def append_many(self, conn: Connection, events: Sequence[AuditEvent]) -> list[int]:
        """Record several events in order, in one round trip; same rules as `append`."""
        head = repo.read_head(conn, lock=True)
        seq = head.seq if head else 0
        chained = head.chain_hash if head else GENESIS
        stack = _split(head.frontier) if head else []
        checkpoint_size = head.checkpoint_size if head else 0
        rows: list[repo.EventRow] = []
        due: list[tuple[int, bytes]] = []
        for event in events:
            seq += 1
            recorded_at = self.clock.now()
            body = event_body(seq, recorded_at, event)
            leaf = leaf_hash(body)
            chained = chain_hash(chained, seq, leaf)
            _push(stack, seq - 1, leaf)
            rows.append(repo.EventRow(seq, recorded_at, body, chained))
            if (
                seq % self.checkpoint_interval == 0
                or seq - checkpoint_size >= self.checkpoint_interval
            ):
                due.append((seq, fold(stack)))
                checkpoint_size = seq
        if not rows:
            return []
        repo.insert_events(conn, rows)
        for tree_size, root in due:
            self._sign(conn, tree_size, root)
        new_head = repo.HeadRow(seq, chained, b"".join(stack), checkpoint_size)
        repo.write_head(conn, new_head, create=head is None)
        return [row.seq for row in rows]

    def checkpoint(self, conn: Connection) -> Checkpoint:
        """Sign the current tree head now (or return the checkpoint already signed for it)."""
        head = repo.read_head(conn, lock=True)
        if head is None or head.seq == 0:
            raise AuditEmpty("the audit log is empty; nothing to sign", code="audit_empty")
        existing = repo.checkpoint_at(conn, head.seq)
        if existing is not None:
            return _checkpoint(existing)
        checkpoint = self._sign(conn, head.seq, fold(_split(head.frontier)))
        repo.write_head(
            conn,
            repo.HeadRow(head.seq, head.chain_hash, head.frontier, head.seq),
            create=False,
        )
        return checkpoint

    def checkpoints(self, conn: Connection) -> list[Checkpoint]:
        return [_checkpoint(row) for row in repo.checkpoints(conn)]

    def export_checkpoints(self, conn: Connection, out: Path) -> int:
        """Copy every checkpoint to a JSON Lines file outside the database."""
        return cpfile.write_file(self.checkpoints(conn), self.signer.public_key_for, out)

    def verify(
        self,
        engine_or_conn: Engine | Connection,
        exported_checkpoints: Path | None = None,
        *,
        workers: int | None = None,
        full_chain: bool = True,
    ) -> VerificationReport:
        """Verify events, chain, head and checkpoints; see `verify.verify_log` for `full_chain`."""
        exported = cpfile.read_file(exported_checkpoints) if exported_checkpoints else []
        return verify_log(
            engine_or_conn,
            self.signer,
            self.checkpoint_interval,
            exported,
            workers,
            full_chain=full_chain,
        )

    def inclusion_proof(
        self, conn: Connection, seq: int, tree_size: int | None = None
    ) -> InclusionProof:
        size = self._size(conn) if tree_size is None else tree_size
        if not 1 <= seq <= size:
            raise AuditRangeError(f"event {seq} is not in a tree of size {size}")
        levels = self._levels(conn, size)
        return InclusionProof(
            seq=seq,
            tree_size=size,
            leaf_hash=levels.levels[0][seq - 1],
            root=levels.root(),
            path=tuple(levels.inclusion_path(seq - 1, size)),
        )

    def consistency_proof(self, conn: Connection, old_size: int, new_size: int) -> ConsistencyProof:
        if not 1 <= old_size <= new_size:
            raise AuditRangeError(f"tree sizes {old_size} and {new_size} are not 1 <= old <= new")
        levels = self._levels(conn, new_size)
        return ConsistencyProof(
            old_size=old_size,
            new_size=new_size,
            old_root=levels.root(old_size),
            new_root=levels.root(),
            path=tuple(levels.consistency_path(old_size, new_size)),
        )

    def export_jsonl(self, conn: Connection, out: Path) -> int:
        """Write every event's canonical JSON, one per line, exactly the bytes that are hashed."""
        size = self._size(conn)
        reader = repo.RawReader.on(conn)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        written = 0
        with partial.open("wb") as handle:
            for rows in reader.batches(1, size):
                handle.write(b"".join(body + b"\n" for _seq, body, _chain in rows))
                written += len(rows)
        partial.replace(out)
        return written

    # -- internals -------------------------------------------------------------------------

    def _sign(self, conn: Connection, tree_size: int, root: bytes) -> Checkpoint:
        signed_at = self.clock.now()
        note = cpfile.note(tree_size, root, format_time(signed_at))
        signature = self.signer.sign(note)
        row = repo.CheckpointRow(tree_size, root, signed_at, self.signer.key_id, signature)
        repo.insert_checkpoint(conn, row)
        return _checkpoint(row)

    def _size(self, conn: Connection) -> int:
        head = repo.read_head(conn)
        return head.seq if head else 0

    def _levels(self, conn: Connection, size: int) -> MerkleLevels:
        if size > self._size(conn):
            raise AuditRangeError(f"the log has fewer than {size} events")
        leaves: list[bytes] = []
        for rows in repo.RawReader.on(conn).batches(1, size):
            leaves.extend(leaf_hash(body) for _seq, body, _chain in rows)
        if len(leaves) != size:
            raise AuditIntegrityError(
                f"the log should hold {size} events but {len(leaves)} were found; run verify"
            )
        return MerkleLevels(leaves)


def _split(frontier: bytes) -> list[bytes]:
    return [frontier[i : i + _HASH] for i in range(0, len(frontier), _HASH)]


def _push(stack: list[bytes], size: int, leaf: bytes) -> None:
    """Add a leaf to the perfect-subtree roots of a tree of `size` leaves (amortised O(1))."""
    node = leaf
    while size & 1:
        node = node_hash(stack.pop(), node)
        size >>= 1
    stack.append(node)


def _checkpoint(row: repo.CheckpointRow) -> Checkpoint:
    return Checkpoint(row.tree_size, row.root, row.signed_at, row.key_id, row.signature)
