"""The one place that wires adapters to services: settings -> engine, keyring, audit, services."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect

from custos.catalog.model import Role
from custos.clock import Clock, SystemClock
from custos.config import Settings
from custos.crypto.keyring import KEYRING_FILE, Keyring
from custos.errors import ConfigurationError
from custos.storage.engine import make_engine
from custos.storage.uow import UnitOfWork

if TYPE_CHECKING:
    from custos.access.service import AccessService
    from custos.audit.service import AuditLog
    from custos.catalog.service import CatalogService
    from custos.consent.collection import CollectionService
    from custos.consent.notices import NoticeService
    from custos.consent.service import ConsentService
    from custos.crypto.signing import SigningKey
    from custos.identity.accounts import AccountService
    from custos.identity.auth import Authenticator
    from custos.identity.passwords import Hasher
    from custos.identity.settings import IdentitySettings
    from custos.identity.totp_box import TotpSecretBox
    from custos.retention.service import RetentionService
    from custos.rights.service import RightsService
    from custos.vault.erasure import ErasureService
    from custos.vault.importer import Importer
    from custos.vault.service import VaultService

SIGNING_KEY_FILE = "audit-signing.key"


@dataclass
class Container:
    """Everything a command or a request needs, built once per process."""

    settings: Settings
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    @cached_property
    def keyring(self) -> Keyring:
        return Keyring.open(self.settings.keys_dir, _passphrase(self.settings))

    @cached_property
    def signer(self) -> SigningKey:
        from custos.crypto.signing import SigningKey

        path = self.settings.keys_dir / SIGNING_KEY_FILE
        if not path.exists():
            raise ConfigurationError(
                f"no audit signing key in {self.settings.keys_dir}; run `custos init` first",
                code="not_initialised",
            )
        from custos.crypto.signing_history import trusted_keys

        key = SigningKey.load_or_create(path)
        key.retired = trusted_keys(self.settings.keys_dir, key)
        return key

    @cached_property
    def audit(self) -> AuditLog:
        from custos.audit.service import AuditLog

        return AuditLog(self.signer, self.clock, self.settings.checkpoint_interval)

    @cached_property
    def catalog(self) -> CatalogService:
        from custos.catalog.service import CatalogService

        return CatalogService(self.uow, self.audit, self.clock)

    @cached_property
    def consent(self) -> ConsentService:
        from custos.consent.service import ConsentService

        return ConsentService(self.uow, self.audit, self.catalog, self.clock)

    @cached_property
    def collection(self) -> CollectionService:
        from custos.consent.collection import CollectionService

        return CollectionService(self.vault, self.consent)

    @cached_property
    def notices(self) -> NoticeService:
        from custos.consent.notices import NoticeService
        from custos.consent.notifier import OutboxNotifier

        notifier = OutboxNotifier(self.clock)
        return NoticeService(self.uow, self.audit, self.catalog, self.clock, notifier)

    @cached_property
    def vault(self) -> VaultService:
        from custos.vault.service import VaultService

        return VaultService(
            uow_factory=self.uow,
            keys=self.keyring,
            audit=self.audit,
            catalog=self.catalog,
            clock=self.clock,
            settings=self.settings,
            access=self.access,
        )

    @cached_property
    def erasure(self) -> ErasureService:
        from custos.vault.erasure import ErasureService
        from custos.vault.holds import HoldKeeper

        args = (self.audit, self.signer, self.clock, self.settings.exports_dir)
        holds = HoldKeeper(self.uow, self.keyring, self.catalog, self.audit, self.clock)
        return ErasureService(self.uow, *args, holds=holds)

    @cached_property
    def retention(self) -> RetentionService:
        from custos.retention.service import RetentionService

        args = (self.vault, self.erasure, self.signer, self.clock)
        certificates = self.settings.data_dir / "certificates"
        return RetentionService(self.uow, self.keyring, self.audit, *args, certificates)

    @cached_property
    def rights(self) -> RightsService:
        from custos.rights.deadlines import DeadlineEngine
        from custos.rights.effects import Effects
        from custos.rights.outbox import OutboxNotifier
        from custos.rights.service import RightsService

        engine = DeadlineEngine(self.clock)
        effects = Effects(self.vault, self.consent, self.audit, self.clock)
        args = (self.clock, engine, OutboxNotifier(self.clock), self.erasure, effects)
        return RightsService(self.uow, self.audit, *args)

    @cached_property
    def access(self) -> AccessService:
        import importlib.util

        from custos.access.ports import ConsentPort, NoConsentPort
        from custos.access.service import AccessService

        port: ConsentPort = NoConsentPort()
        if importlib.util.find_spec("custos.consent.service") is not None:
            port = self.consent  # the ledger answers "is consent live?" for consent purposes
        return AccessService(port, self.clock)

    @cached_property
    def identity_settings(self) -> IdentitySettings:
        from custos.identity.settings import IdentitySettings

        return IdentitySettings()

    @cached_property
    def hasher(self) -> Hasher:
        from custos.identity.passwords import Hasher

        return Hasher(self.identity_settings)

    def _roles(self, conn: Connection) -> dict[str, Role]:
        active = self.catalog.active(conn)
        return {} if active is None else active[1].roles

    def catalog_roles(self) -> dict[str, Role]:
        with self.uow() as uow:
            return self._roles(uow.conn)

    @cached_property
    def accounts(self) -> AccountService:
        from custos.identity.accounts import AccountService

        args = (self.identity_settings, self._roles, self.hasher, self.totp_box)
        return AccountService(self.uow, self.audit, self.clock, *args)

    @cached_property
    def auth(self) -> Authenticator:
        from custos.identity.auth import Authenticator

        args = (self.identity_settings, self._roles, self.hasher, self.totp_box)
        return Authenticator(self.uow, self.audit, self.clock, *args)

    @cached_property
    def totp_box(self) -> TotpSecretBox:
        from custos.identity.totp_box import TotpSecretBox

        return TotpSecretBox(self.keyring.staff_secret_key("totp"))

    def importer(self, serving: bool = False) -> Importer:
        """The bulk importer; `serving`: for the API, whose other requests wait while an
        import commits, so its transactions are smaller (`serve_import_commit_subjects`)."""
        from custos.vault.importer import Importer, ImportTuning

        s = self.settings
        commit = s.serve_import_commit_subjects if serving else s.import_commit_subjects
        tuning = ImportTuning(
            batch_size=s.import_batch_size,
            commit_subjects=max(commit, s.import_batch_size),
            cache_mib=s.import_cache_mib,
        )
        return Importer(self.vault, tuning, pool_keys=(s.keys_dir, _passphrase(s)))


def _passphrase(settings: Settings) -> bytes | None:
    secret = settings.keyring_passphrase
    return secret.get_secret_value().encode() if secret is not None else None


def is_initialised(settings: Settings) -> bool:
    return (settings.keys_dir / KEYRING_FILE).exists()


def open_container(settings: Settings, clock: Clock | None = None) -> Container:
    """Open an initialised data directory; a clear error if `custos init` has not run."""
    if settings.database_url is None and not is_initialised(settings):
        raise ConfigurationError(
            f"{settings.data_dir} is not a Custos data directory; run `custos init` first",
            code="not_initialised",
        )
    engine = make_engine(settings.db_url)
    if "subjects" not in inspect(engine).get_table_names():
        raise ConfigurationError(
            "the database has no Custos tables; run `custos init` first", code="not_initialised"
        )
    return Container(settings=settings, engine=engine, clock=clock or SystemClock())


@dataclass(frozen=True)
class InitResult:
    data_dir: Path
    database: str
    keyring: Path
    signing_key: Path
    created: bool
    api_token: str | None  # shown once at creation, stored only as a hash


def initialize(settings: Settings, clock: Clock | None = None) -> InitResult:
    """Create the data directory, database schema, keyring, signing key and bootstrap token.

    Idempotent: on an existing directory it creates whatever is missing and nothing else.
    """
    from custos.crypto.signing import SigningKey
    from custos.identity.tokens import ensure_bootstrap_token
    from custos.storage.migrations import upgrade_to_head

    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    settings.keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(settings.keys_dir, 0o700)
    created = not is_initialised(settings)
    if created:
        Keyring.create(settings.keys_dir, _passphrase(settings))
    signing_path = settings.keys_dir / SIGNING_KEY_FILE
    SigningKey.load_or_create(signing_path)
    engine = make_engine(settings.db_url)
    upgrade_to_head(engine)
    container = Container(settings=settings, engine=engine, clock=clock or SystemClock())
    token = ensure_bootstrap_token(container.uow, container.audit, container.clock)
    return InitResult(
        data_dir=settings.data_dir.resolve(),
        database=settings.db_url
        if settings.database_url
        else str(settings.data_dir.resolve() / "custos.db"),
        keyring=(settings.keys_dir / KEYRING_FILE).resolve(),
        signing_key=signing_path.resolve(),
        created=created,
        api_token=token,
    )
