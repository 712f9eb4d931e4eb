"""Identity settings (prefix CUSTOS_): Argon2id cost, session lifetimes, lockout, key expiry."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class IdentitySettings(BaseSettings):
    """Defaults follow RFC 9106's second recommended Argon2id option (t=3, 64 MiB)."""

    model_config = SettingsConfigDict(env_prefix="CUSTOS_", extra="ignore")

    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=1, ge=1)
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    lockout_threshold: int = Field(default=5, ge=1)
    lockout_base_seconds: int = Field(default=30, ge=1)
    lockout_max_seconds: int = Field(default=3600, ge=1)
    api_key_max_days: int = Field(default=365, ge=1)
    password_min_length: int = Field(default=12, ge=12)
    password_max_length: int = Field(default=256, ge=64)
