"""Vault use cases: create, get, find and rectify subjects, each decided, audited and atomic.

Every method takes a PrivacyContext. The access decision comes first; a denial is
audited in its own transaction and then raised. A permitted operation appends its audit
event on the same connection as its writes, so both commit or neither does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import Connection

from custos.access import masks
from custos.access.model import Action, Decision
from custos.access.ports import NoConsentPort
from custos.access.service import AccessService
from custos.audit.model import AuditEvent, Outcome
from custos.catalog.model import Catalog
from custos.clock import Clock
from custos.config import Settings
from custos.crypto.envelope import FieldCipher, pack_fields, unpack_fields
from custos.crypto.ports import KeyProvider
from custos.errors import ValidationError
from custos.storage.repositories import vault as repo
from custos.storage.repositories import vault_reads as reads
from custos.storage.uow import UnitOfWork
from custos.vault.errors import NoCatalog, PurposeDenied, SubjectErased, SubjectNotFound
from custos.vault.model import NewSubject, PrivacyContext, Stage, SubjectView, new_subject_id
from custos.vault.ports import AuditSink, CatalogSource
from custos.vault.sealing import Sealer

MAX_FIND_RESULTS = 100


# A live subject opened for reading: its row, its cipher (DEK unwrapped), its ciphertexts.
Unsealed = tuple[repo.StoredSubject, FieldCipher, dict[str, bytes]]


class VaultService:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        keys: KeyProvider,
        audit: AuditSink,
        catalog: CatalogSource,
        clock: Clock,
        settings: Settings,
        access: AccessService | None = None,
    ) -> None:
        self.uow = uow_factory
        self.access = access or AccessService(NoConsentPort(), clock)
        self._keys = keys
        self.audit = audit
        self._catalog = catalog
        self.clock = clock
        self._settings = settings
        self._sealers: dict[int, Sealer] = {}
        self._active: tuple[tuple[int, str], tuple[int, Catalog]] | None = None

    # -- helpers shared with the importer and rotation ------------------------------------

    @property
    def max_value_bytes(self) -> int:
        return self._settings.max_value_bytes

    def catalog_state(self, conn: Connection) -> tuple[int, Catalog, Sealer]:
        # The head (version, digest) is read on every call; the catalog source only when it moved.
        head = reads.catalog_head(conn)
        known = self._active
        if head is not None and known is not None and known[0] == head:
            active: tuple[int, Catalog] | None = known[1]
        else:
            active = self._catalog.active(conn)
            self._active = None if head is None or active is None else (head, active)
        if active is None:
            raise NoCatalog("no catalog has been applied; run `custos catalog apply FILE` first")
        version, catalog = active
        sealer = self._sealers.get(version)
        if sealer is None:
            sealer = Sealer(catalog, self._keys, self._settings.max_value_bytes)
            self._sealers = {version: sealer}
        return version, catalog, sealer

    def authorise(
        self,
        uow: UnitOfWork,
        ctx: PrivacyContext,
        action: Action,
        fields: Sequence[str] | None,
        subject_ids: Sequence[str] = (),
    ) -> tuple[Decision, Catalog, Sealer]:
        version, catalog, sealer = self.catalog_state(uow.conn)
        decision = self.access.authorise(
            uow.conn, ctx, ctx.account_id, action, (version, catalog), fields, subject_ids
        )
        if not decision.permitted:
            self._audit_denial(uow, ctx, action, fields or (), subject_ids, decision)
            if all(r.startswith("subject_erased:") for r in decision.reasons):
                raise SubjectErased(
                    f"subject {subject_ids[0]} has been erased", details={"id": subject_ids[0]}
                )
            raise PurposeDenied(
                f"{action.value} for purpose '{ctx.purpose}' denied: {', '.join(decision.reasons)}",
                details={"reasons": list(decision.reasons)},
            )
        return decision, catalog, sealer

    def _audit_denial(
        self,
        uow: UnitOfWork,
        ctx: PrivacyContext,
        action: Action,
        fields: Sequence[str],
        subject_ids: Sequence[str],
        decision: Decision,
    ) -> None:
        # Field names in a denied request may be junk a caller typed; keep only declared-looking
        # names (identifier characters, bounded), so the audit log never stores free text.
        safe_fields = tuple(f for f in fields if f.isidentifier() and len(f) <= 64)
        # Nothing of the refused operation may commit; the denial itself must (fail closed).
        uow.rollback()
        self.audit.append(
            uow.conn,
            AuditEvent(
                actor=ctx.actor,
                action=f"subject.{action.value}",
                outcome=Outcome.DENIED,
                purpose=ctx.purpose if ctx.purpose.isidentifier() else None,
                subject_ids=tuple(subject_ids),
                fields=safe_fields,
                reasons=tuple(r.split(":")[0] for r in decision.reasons),
                details=_details(ctx, decision.catalog_version),
            ),
        )
        uow.commit()

    # -- use cases ----------------------------------------------------------------------------

    def create(self, ctx: PrivacyContext, new: NewSubject) -> str:
        with self.uow() as uow:
            subject_id = self.create_in(uow, ctx, new)
            uow.commit()
            return subject_id

    def create_in(self, uow: UnitOfWork, ctx: PrivacyContext, new: NewSubject) -> str:
        """`create` inside the caller's transaction (consent collection commits it with consents)."""
        fields = tuple(new.values)
        decision, _, sealer = self.authorise(uow, ctx, Action.CREATE, fields)
        canonical, problems = sealer.validate(new.values)
        if problems:
            raise ValidationError("the subject was not created", problems=problems)
        subject_id = new_subject_id()
        sealed = sealer.seal(
            subject_id, canonical, new.stage.value, self.clock.now(), decision.catalog_version
        )
        repo.insert_many(uow.conn, [sealed])
        self.audit.append(
            uow.conn,
            _event(ctx, "subject.create", (subject_id,), tuple(canonical), decision),
        )
        return subject_id

    def get(
        self, ctx: PrivacyContext, subject_id: str, fields: Sequence[str] | None = None
    ) -> SubjectView:
        with self.uow() as uow:
            decision, _, _ = self.authorise(uow, ctx, Action.READ, fields, (subject_id,))
            stored = reads.load(uow.conn, subject_id)
            view = self._open(stored, subject_id, decision)
            self.audit.append(
                uow.conn, _event(ctx, "subject.read", (subject_id,), decision.fields, decision)
            )
            uow.commit()
            return view

    def find(
        self, ctx: PrivacyContext, field: str, value: str, fields: Sequence[str] | None = None
    ) -> list[SubjectView]:
        with self.uow() as uow:
            decision, catalog, sealer = self.authorise(uow, ctx, Action.FIND, fields)
            spec = catalog.field(field)
            if spec is None or not spec.searchable:
                raise ValidationError(
                    f"field '{field}' is not a searchable field of the catalog",
                    code="field_not_searchable",
                )
            purpose = catalog.purposes[ctx.purpose]
            if field not in purpose.fields:
                self._audit_denial(uow, ctx, Action.FIND, (field,), (), decision)
                raise PurposeDenied(
                    f"searching by '{field}' is outside purpose '{ctx.purpose}'",
                    details={"reasons": [f"field_outside_purpose:{field}"]},
                )
            canonical, problems = sealer.validate({field: value})
            if problems or field not in canonical:
                raise ValidationError("the search value is not valid", problems=problems)
            tag = sealer.index_tag(field, canonical[field])
            candidates = repo.find_ids(uow.conn, field, tag or 0, MAX_FIND_RESULTS)
            found = self._confirm(repo.load_many(uow.conn, candidates), field, canonical, sealer)
            ids = [stored.id for stored, _, _ in found]
            if ids:  # the matches themselves: limits, consent, restriction
                decision, _, _ = self.authorise(uow, ctx, Action.FIND, fields, tuple(ids))
            views = [self._view(opened, decision) for opened in found]
            self.audit.append(
                uow.conn,
                _event(ctx, "subject.find", tuple(ids), decision.fields, decision, search=field),
            )
            uow.commit()
            return views

    def update(
        self, ctx: PrivacyContext, subject_id: str, changes: Mapping[str, str]
    ) -> SubjectView:
        """Rectification: validate like any write, re-encrypt the changed fields, re-index."""
        with self.uow() as uow:
            decision = self.update_in(uow, ctx, subject_id, changes)
            uow.commit()
            view = self._open(repo.load(uow.conn, subject_id), subject_id, decision)
            return view

    def update_in(
        self, uow: UnitOfWork, ctx: PrivacyContext, subject_id: str, changes: Mapping[str, str]
    ) -> Decision:
        """`update` inside the caller's transaction (consent collection commits it with consents)."""
        decision, _, sealer = self.authorise(uow, ctx, Action.UPDATE, tuple(changes), (subject_id,))
        canonical, problems = sealer.validate(changes)
        if problems:
            raise ValidationError("the subject was not updated", problems=problems)
        _, cipher, blobs = self._unseal(repo.load(uow.conn, subject_id), subject_id)
        cleared = [name for name, raw in changes.items() if raw in (None, "")]
        for name in cleared:
            blobs.pop(name, None)
        for name, value in canonical.items():
            blobs[name] = cipher.encrypt(name, value)
        now = self.clock.now()
        if not repo.save_record(uow.conn, subject_id, pack_fields(blobs), now):
            # erased between the read above and this write (PostgreSQL re-checks the row)
            raise SubjectErased(f"subject {subject_id} has been erased", details={"id": subject_id})
        for name in sealer.searchable.intersection((*canonical, *cleared)):
            new_value = canonical.get(name)
            tag = sealer.index_tag(name, new_value) if new_value is not None else None
            repo.replace_index(uow.conn, subject_id, name, tag)
        self.audit.append(
            uow.conn,
            _event(ctx, "subject.update", (subject_id,), tuple(changes), decision),
        )
        return decision

    # -- reading ----------------------------------------------------------------------------

    def _require(self, stored: repo.StoredSubject | None, subject_id: str) -> repo.StoredSubject:
        if stored is None:
            raise SubjectNotFound(f"subject {subject_id} not found", details={"id": subject_id})
        if stored.status == "erased" or stored.wrapped_dek is None:
            raise SubjectErased(f"subject {subject_id} has been erased", details={"id": subject_id})
        return stored

    def _unseal(self, stored: repo.StoredSubject | None, subject_id: str) -> Unsealed:
        """The live subject's cipher (DEK unwrapped) and its field ciphertexts."""
        stored = self._require(stored, subject_id)
        assert stored.wrapped_dek is not None and stored.kek_version is not None
        dek = self._keys.unwrap(subject_id, stored.kek_version, stored.wrapped_dek)
        cipher = FieldCipher(subject_id, dek, stored.dek_version)
        return stored, cipher, unpack_fields(stored.record or b"")

    def _confirm(
        self,
        candidates: list[repo.StoredSubject],
        field: str,
        canonical: Mapping[str, str],
        sealer: Sealer,
    ) -> list[Unsealed]:
        """The candidates whose stored value really is the searched one, opened (the caller
        decrypts their permitted fields with the same cipher): a blind-index tag is 64 bits,
        so another value may share it (`crypto/blind_index.py`). Checked before anything is
        authorised, audited or returned, so a stranger is never a match."""
        wanted = canonical[field]
        confirmed = []
        for stored in candidates:
            if stored.status == "erased" or stored.wrapped_dek is None:
                continue  # erasure deletes its entries; one left behind still finds nothing
            opened = self._unseal(stored, stored.id)
            _, cipher, blobs = opened
            blob = blobs.get(field)
            if blob is not None and sealer.same_index_value(
                field, cipher.decrypt(field, blob), wanted
            ):
                confirmed.append(opened)
        return confirmed

    def _open(
        self, stored: repo.StoredSubject | None, subject_id: str, decision: Decision
    ) -> SubjectView:
        return self._view(self._unseal(stored, subject_id), decision)

    def _view(self, opened: Unsealed, decision: Decision) -> SubjectView:
        """Decrypt only the permitted fields and mask them as the role requires, here,
        before any value leaves the vault."""
        stored, cipher, blobs = opened
        values = {
            name: masks.apply(
                decision.masks[name], cipher.decrypt(name, blobs[name]), name, self._keys
            )
            if name in blobs
            else None
            for name in decision.fields
        }
        return SubjectView(
            id=stored.id,
            stage=Stage(stored.stage),
            created_at=stored.created_at,
            updated_at=stored.updated_at,
            fields=values,
        )


def _details(
    ctx: PrivacyContext, catalog_version: int | None
) -> dict[str, str | int | bool | None]:
    details: dict[str, str | int | bool | None] = {"catalog_version": catalog_version}
    details["roles"] = ",".join(ctx.roles)
    if ctx.operator:
        details["operator"] = True
    if ctx.request_id:
        details["request_id"] = ctx.request_id
    return details


def _event(
    ctx: PrivacyContext,
    action: str,
    subject_ids: tuple[str, ...],
    fields: tuple[str, ...],
    decision: Decision,
    search: str | None = None,
) -> AuditEvent:
    details = _details(ctx, decision.catalog_version)
    details["role"] = decision.role
    if decision.break_glass:
        details["break_glass"] = True
    if search is not None:
        details["search_field"] = search
        details["matches"] = len(subject_ids)
    return AuditEvent(
        actor=ctx.actor,
        action=action,
        outcome=Outcome.SUCCESS,
        purpose=ctx.purpose,
        subject_ids=subject_ids,
        fields=fields,
        reasons=tuple(r.split(":")[0] for r in decision.reasons),
        details=details,
    )
