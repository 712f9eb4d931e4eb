"""Legal holds (PIPL Art. 47, GDPR Art. 17(3)(b)): fields kept through erasure, one purpose only.

Before an erasure shreds a subject's DEK, the values of its fields under a catalog legal hold
are decrypted once and re-sealed under a fresh *hold* DEK (wrapped by the KEK like any DEK)
into `legal_hold_records`, with `expires_at = erased_at + hold.duration`. The associated data
names the subject and the hold (`<id>#hold:<key>`), so a held blob cannot be moved back into a
live record. Reading needs the hold's purpose, granted to one of the caller's catalog roles
(default deny) and is audited as `subject.read_held` with field names only. Expired holds are
destroyed by `purge_expired_holds`, one `subject.hold.purge` audit event each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from custos.access import masks
from custos.audit.model import AuditEvent, Outcome
from custos.catalog.model import Catalog, LegalHold, Mask
from custos.clock import Clock
from custos.crypto.envelope import FieldCipher, new_dek, pack_fields, unpack_fields
from custos.crypto.ports import KeyProvider
from custos.errors import NotFoundError
from custos.storage.repositories import holds as repo
from custos.storage.repositories import vault as vault_repo
from custos.storage.uow import UnitOfWork
from custos.vault.errors import PurposeDenied, SubjectErased, SubjectNotFound
from custos.vault.model import PrivacyContext
from custos.vault.ports import AuditSink, CatalogSource

PURGE_BATCH = 1000


@dataclass(frozen=True, slots=True)
class HeldFields:
    """What the certificate and the customer are told: which fields, why, until when."""

    hold_key: str
    fields: tuple[str, ...]
    purpose: str
    basis_zh: str
    basis_en: str
    until: datetime


@dataclass(frozen=True, slots=True)
class HeldView:
    subject_id: str
    hold_key: str
    purpose: str
    until: datetime
    fields: dict[str, str | None]


def hold_owner(subject_id: str, hold_key: str) -> str:
    """The name the hold DEK and its ciphertexts are bound to (never a live subject id)."""
    return f"{subject_id}#hold:{hold_key}"


class HoldKeeper:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        keys: KeyProvider,
        catalogs: CatalogSource,
        audit: AuditSink,
        clock: Clock,
    ) -> None:
        self.uow = uow_factory
        self.keys = keys
        self.catalogs = catalogs
        self.audit = audit
        self.clock = clock

    def keep(
        self, uow: UnitOfWork, subject_ids: Sequence[str], erased_at: datetime
    ) -> dict[str, list[HeldFields]]:
        """Re-seal held fields of these (still keyed) subjects; call before shredding them."""
        active = self.catalogs.active(uow.conn)
        if active is None or not active[1].legal_holds or not subject_ids:
            return {}
        holds = tuple(active[1].legal_holds.values())
        kept: dict[str, list[HeldFields]] = {}
        rows: list[repo.HoldRow] = []
        for stored in vault_repo.load_many(uow.conn, subject_ids):
            if stored.wrapped_dek is None or stored.kek_version is None or not stored.record:
                continue
            blobs = unpack_fields(stored.record)
            wanted = [(h, [f for f in h.fields if f in blobs]) for h in holds]
            wanted = [(h, names) for h, names in wanted if names]
            if not wanted:
                continue
            dek = self.keys.unwrap(stored.id, stored.kek_version, stored.wrapped_dek)
            cipher = FieldCipher(stored.id, dek, stored.dek_version)
            for hold, names in wanted:
                values = {name: cipher.decrypt(name, blobs[name]) for name in names}
                rows.append(self._seal(stored.id, hold, values, erased_at))
                kept.setdefault(stored.id, []).append(_told(hold, names, erased_at))
        repo.insert_many(uow.conn, rows)
        return kept

    def _seal(
        self, subject_id: str, hold: LegalHold, values: dict[str, str], erased_at: datetime
    ) -> repo.HoldRow:
        owner, dek = hold_owner(subject_id, hold.key), new_dek()
        record = pack_fields(FieldCipher(owner, dek).encrypt_all(values))
        kek_version, wrapped = self.keys.wrap(owner, dek)
        return repo.HoldRow(
            subject_id, hold.key, hold.purpose, ",".join(values), record,
            kek_version, wrapped, erased_at, erased_at + hold.duration,
        )  # fmt: skip

    def held(self, uow: UnitOfWork, subject_id: str) -> list[HeldFields]:
        """What is kept for a subject (names, basis, until): no value, no decryption."""
        active = self.catalogs.active(uow.conn)
        catalog_holds = {} if active is None else active[1].legal_holds
        out: list[HeldFields] = []
        for row in repo.for_subject(uow.conn, subject_id):
            hold = catalog_holds.get(row.hold_key)
            zh, en = (hold.basis.zh, hold.basis.en) if hold else ("", "")
            names = tuple(row.fields.split(","))
            out.append(HeldFields(row.hold_key, names, row.purpose, zh, en, row.expires_at))
        return out

    def read(self, ctx: PrivacyContext, subject_id: str) -> list[HeldView]:
        """Held values of an erased subject, for the hold's purpose only (default deny)."""
        with self.uow() as uow:
            active = self.catalogs.active(uow.conn)
            catalog = active[1] if active else None
            rows = [r for r in repo.for_subject(uow.conn, subject_id) if r.purpose == ctx.purpose]
            reason = self._refusal(uow, ctx, subject_id, catalog, rows)
            if reason is None:
                assert catalog is not None
                views = [self._open(row, _mask_map(ctx, catalog)) for row in rows]
                names = tuple(sorted({n for v in views for n in v.fields}))
                self._event(uow, ctx, subject_id, Outcome.SUCCESS, names, ())
                uow.commit()
                return views
        with self.uow() as uow:  # a denial is recorded on its own, then raised
            self._event(uow, ctx, subject_id, Outcome.DENIED, (), (reason,))
            uow.commit()
        if reason == "not_erased":
            raise NotFoundError(
                f"subject {subject_id} is not erased: nothing is held, read it through the vault",
                code="nothing_held",
                details={"id": subject_id},
            )
        if reason == "not_erased_or_no_hold":
            raise SubjectErased(
                f"subject {subject_id} has nothing held for purpose '{ctx.purpose}'",
                details={"id": subject_id, "purpose": ctx.purpose},
            )
        raise PurposeDenied(
            f"held data of {subject_id} for purpose '{ctx.purpose}' denied: {reason}",
            details={"id": subject_id, "purpose": ctx.purpose, "reason": reason},
        )

    def _refusal(
        self,
        uow: UnitOfWork,
        ctx: PrivacyContext,
        subject_id: str,
        catalog: Catalog | None,
        rows: list[repo.HoldRow],
    ) -> str | None:
        if catalog is None:
            return "no_catalog"
        stored = vault_repo.load(uow.conn, subject_id)
        if stored is None:
            raise SubjectNotFound(f"subject {subject_id} not found", details={"id": subject_id})
        if stored.status != "erased":
            return "not_erased"
        if not rows:  # any other purpose gets the plain "erased" answer
            return "not_erased_or_no_hold"
        if not ctx.operator and _mask_map(ctx, catalog) is None:
            return "purpose_not_granted"
        return None

    def _open(self, row: repo.HoldRow, visible: dict[str, Mask] | None) -> HeldView:
        owner = hold_owner(row.subject_id, row.hold_key)
        cipher = FieldCipher(owner, self.keys.unwrap(owner, row.kek_version, row.wrapped_dek))
        blobs = unpack_fields(row.record)
        fields = {
            name: masks.apply(
                visible[name] if visible else Mask.NONE, cipher.decrypt(name, blob), name, self.keys
            )
            for name, blob in blobs.items()
            if visible is None or name in visible
        }
        return HeldView(row.subject_id, row.hold_key, row.purpose, row.expires_at, fields)

    def _event(
        self,
        uow: UnitOfWork,
        ctx: PrivacyContext,
        subject_id: str,
        outcome: Outcome,
        names: tuple[str, ...],
        reasons: tuple[str, ...],
    ) -> int:
        details: dict[str, str | int | bool | None] = {"operator": ctx.operator}
        event = AuditEvent(
            actor=ctx.actor,
            action="subject.read_held",
            outcome=outcome,
            purpose=ctx.purpose,
            subject_ids=(subject_id,),
            fields=names,
            reasons=reasons,
            details=details,
        )
        return self.audit.append(uow.conn, event)

    def purge_expired_holds(self, uow: UnitOfWork, now: datetime, actor: str = "system") -> int:
        """Destroy every hold record past `expires_at` in the caller's transaction; one
        `subject.hold.purge` audit event each. Returns how many were destroyed."""
        purged = 0
        while batch := repo.expired(uow.conn, now, PURGE_BATCH):
            for subject_id, hold_key in batch:
                repo.remove(uow.conn, subject_id, hold_key)
                event = AuditEvent(
                    actor=actor,
                    action="subject.hold.purge",
                    outcome=Outcome.SUCCESS,
                    subject_ids=(subject_id,),
                    reasons=("hold_expired",),
                    details={"hold_key": hold_key},
                )
                self.audit.append(uow.conn, event)
            purged += len(batch)
        return purged

    def rewrap(self, uow: UnitOfWork, version: int) -> int:
        """Re-wrap every hold DEK under KEK `version` (call with KEK rotation, before an old
        KEK is retired: a hold DEK left under a retired KEK is unreadable). Returns the count."""
        done = 0
        while batch := repo.wrapped_not_at(uow.conn, version, PURGE_BATCH):
            for subject_id, hold_key, old, wrapped in batch:
                owner = hold_owner(subject_id, hold_key)
                dek = self.keys.unwrap(owner, old, wrapped)
                _, rewrapped = self.keys.wrap(owner, dek, version)
                repo.set_wrapped(uow.conn, subject_id, hold_key, version, rewrapped)
            done += len(batch)
        return done


def _told(hold: LegalHold, names: list[str], erased_at: datetime) -> HeldFields:
    until = erased_at + hold.duration
    return HeldFields(hold.key, tuple(names), hold.purpose, hold.basis.zh, hold.basis.en, until)


def _mask_map(ctx: PrivacyContext, catalog: Catalog) -> dict[str, Mask] | None:
    """Field -> mask over the caller's roles that grant the purpose; None: none grants it
    (the operator, who has no role, sees the held values unmasked)."""
    if ctx.scope is not None and ctx.purpose not in ctx.scope:
        return None
    granting = [
        catalog.roles[r]
        for r in ctx.roles
        if r in catalog.roles and ctx.purpose in catalog.roles[r].purposes
    ]
    if not granting:
        return None
    visible: dict[str, Mask] = {}
    for role in granting:
        for name, mask in role.masks.items():
            visible.setdefault(name, mask)
    return visible
