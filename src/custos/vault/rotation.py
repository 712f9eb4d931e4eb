"""KEK rotation: re-wrap every DEK under a new KEK version, streaming, resumable, audited.

Record ciphertexts are untouched (their DEKs do not change). Progress is committed per
batch together with a cursor, so a killed rotation resumes where it stopped; the old KEK
can be retired (destroyed) once no DEK is wrapped by it any more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import bindparam, func, insert, select, update

from custos.audit.model import AuditEvent, Outcome
from custos.clock import Clock
from custos.crypto.keyring import Keyring
from custos.errors import ConflictError
from custos.storage.tables.vault import key_rotations, subject_keys, subjects
from custos.storage.uow import UnitOfWork
from custos.vault.ports import AuditSink


@dataclass(frozen=True, slots=True)
class RotationReport:
    to_version: int
    rewrapped: int
    resumed: bool
    retired: tuple[int, ...]


class HoldRewrapper(Protocol):
    """Legal-hold records keep their own DEKs (vault/holds.py); they must follow the KEK too."""

    def rewrap(self, uow: UnitOfWork, version: int) -> int: ...


class KeyRotation:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        keyring: Keyring,
        audit: AuditSink,
        clock: Clock,
        actor: str,
        batch_size: int = 2000,
        holds: HoldRewrapper | None = None,
    ) -> None:
        self._uow = uow_factory
        self._keyring = keyring
        self._audit = audit
        self._clock = clock
        self._actor = actor
        self._batch = batch_size
        self._holds = holds

    def pending(self) -> int:
        """How many data keys `run` will re-wrap: those not yet under the target version (the
        active one while a rotation is unfinished; a new one otherwise, so all of them)."""
        with self._uow() as uow:
            unfinished = uow.conn.execute(
                select(key_rotations.c.id).where(key_rotations.c.finished_at.is_(None))
            ).first()
            query = select(func.count()).select_from(subject_keys)
            if unfinished is not None:
                query = query.where(subject_keys.c.kek_version != self._keyring.active_version)
            return int(uow.conn.execute(query).scalar_one())

    def run(
        self, retire_old: bool = False, on_batch: Callable[[int], None] | None = None
    ) -> RotationReport:
        rotation_id, to_version, cursor, resumed = self._start()
        done = 0
        while True:
            count, cursor = self._rewrap_batch(rotation_id, to_version, cursor)
            if count == 0:
                break
            done += count
            if on_batch is not None:
                on_batch(count)
        if self._holds is not None:  # before any retirement: a held DEK under a retired KEK is lost
            with self._uow() as uow:
                held = self._holds.rewrap(uow, to_version)
                self._event(uow, "keys.rewrap_holds", {"to_version": to_version, "count": held})
                uow.commit()
        retired = self._retire_unused(to_version) if retire_old else ()
        self._finish(rotation_id, to_version, done, retired)
        return RotationReport(to_version, done, resumed, retired)

    def _start(self) -> tuple[int, int, str, bool]:
        with self._uow() as uow:
            open_row = uow.conn.execute(
                select(key_rotations.c.id, key_rotations.c.to_version, key_rotations.c.cursor)
                .where(key_rotations.c.finished_at.is_(None))
                .order_by(key_rotations.c.id.desc())
            ).first()
            if open_row is not None:
                if open_row.to_version != self._keyring.active_version:
                    raise ConflictError(
                        "an unfinished rotation targets a key version that is not active",
                        code="rotation_inconsistent",
                    )
                return int(open_row.id), int(open_row.to_version), open_row.cursor or "", True
        to_version = self._keyring.add_version()
        with self._uow() as uow:
            rotation_id = uow.conn.execute(
                insert(key_rotations).values(
                    to_version=to_version, started_at=self._clock.now(), cursor="", rewrapped=0
                )
            ).inserted_primary_key
            assert rotation_id is not None
            self._event(uow, "keys.rotate.start", {"to_version": to_version})
            uow.commit()
        return int(rotation_id[0]), to_version, "", False

    def _rewrap_batch(self, rotation_id: int, to_version: int, cursor: str) -> tuple[int, str]:
        """Re-wrap the next batch after `cursor` (a subject row key as text; "" at the start)."""
        after = int(cursor) if cursor else 0
        with self._uow() as uow:
            k = subject_keys.c
            rows = uow.conn.execute(
                select(k.subject_pk, subjects.c.id, k.kek_version, k.wrapped_dek)
                .join(subjects, subjects.c.pk == k.subject_pk)
                .where(k.subject_pk > after)
                .order_by(k.subject_pk)
                .limit(self._batch)
            ).all()
            if not rows:
                return 0, cursor
            changed = []
            for pk, subject_id, version, wrapped in rows:
                if version == to_version:
                    continue
                dek = self._keyring.unwrap(subject_id, version, wrapped)
                _, rewrapped = self._keyring.wrap(subject_id, dek, to_version)
                changed.append({"b_pk": pk, "w": rewrapped})
            if changed:
                uow.conn.execute(
                    update(subject_keys)
                    .where(k.subject_pk == bindparam("b_pk"))
                    .values(kek_version=to_version, wrapped_dek=bindparam("w")),
                    changed,
                )
            new_cursor = str(rows[-1][0])
            uow.conn.execute(
                update(key_rotations)
                .where(key_rotations.c.id == rotation_id)
                .values(cursor=new_cursor, rewrapped=key_rotations.c.rewrapped + len(changed))
            )
            self._event(uow, "keys.rewrap", {"to_version": to_version, "count": len(changed)})
            uow.commit()
            return len(rows), new_cursor

    def _retire_unused(self, to_version: int) -> tuple[int, ...]:
        with self._uow() as uow:
            in_use = set(uow.conn.execute(select(subject_keys.c.kek_version).distinct()).scalars())
        retired = []
        for version, is_retired in self._keyring.versions.items():
            if version != to_version and not is_retired and version not in in_use:
                self._keyring.retire(version)
                retired.append(version)
        return tuple(retired)

    def _finish(
        self, rotation_id: int, to_version: int, done: int, retired: tuple[int, ...]
    ) -> None:
        with self._uow() as uow:
            uow.conn.execute(
                update(key_rotations)
                .where(key_rotations.c.id == rotation_id)
                .values(finished_at=self._clock.now())
            )
            details: dict[str, str | int | bool | None] = {
                "to_version": to_version,
                "rewrapped": done,
            }
            if retired:
                details["retired"] = ",".join(str(v) for v in retired)
            self._event(uow, "keys.rotate", details)
            uow.commit()

    def _event(
        self, uow: UnitOfWork, action: str, details: dict[str, str | int | bool | None]
    ) -> None:
        self._audit.append(
            uow.conn,
            AuditEvent(actor=self._actor, action=action, outcome=Outcome.SUCCESS, details=details),
        )
