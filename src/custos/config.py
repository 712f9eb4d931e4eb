"""Settings from the environment (prefix CUSTOS_) and the data directory layout."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from custos.errors import ConfigurationError

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "password", "dev"})


class Mode(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Everything configurable; secrets are SecretStr so they never print."""

    model_config = SettingsConfigDict(env_prefix="CUSTOS_", extra="ignore")

    data_dir: Path = Path("custos-data")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is SQLite in the data directory"
    )
    mode: Mode = Mode.DEVELOPMENT
    actor: str = Field(default="local-operator", description="Name of the local CLI operator")
    checkpoint_interval: int = Field(default=1000, ge=1, description="Sign every N audit events")
    import_batch_size: int = Field(
        default=2000, ge=1, le=100_000, description="Subjects per import audit event"
    )
    import_commit_subjects: int = Field(
        default=100_000,
        ge=1,
        le=1_000_000,
        description="Subjects per transaction of a CLI import: larger is faster; a crash keeps "
        "whole transactions, and other writers wait while one is written (~3-5 s at 100,000)",
    )
    serve_import_commit_subjects: int = Field(
        default=20_000,
        ge=1,
        le=1_000_000,
        description="Subjects per transaction of an import through the API: smaller than the "
        "CLI's, since the service's other requests wait while one commits (~1 s at 20,000)",
    )
    import_cache_mib: int = Field(
        default=256, ge=2, le=16_384, description="SQLite page cache of an importing connection"
    )
    max_value_bytes: int = Field(default=4096, ge=16, description="Largest accepted field value")
    keyring_passphrase: SecretStr | None = None
    # Mail relay for the notification outbox (custos notices send-outbox).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_from: str | None = None
    smtp_starttls: bool = True
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'custos.db').resolve()}"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    def check(self) -> None:
        """Refuse placeholder secrets outside development mode (DESIGN decision 9)."""
        if self.mode is Mode.PRODUCTION:
            secret = self.keyring_passphrase
            if secret is None or secret.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
                raise ConfigurationError(
                    "CUSTOS_KEYRING_PASSPHRASE must be set to a real secret in production mode",
                    code="placeholder_secret",
                )


def load_settings(data_dir: Path | None = None) -> Settings:
    settings = Settings() if data_dir is None else Settings(data_dir=data_dir)
    settings.check()
    return settings
