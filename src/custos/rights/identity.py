"""Issuing and checking a request's one-time identity code on the caller's transaction."""

from __future__ import annotations

from datetime import timedelta

from custos.clock import Clock
from custos.rights import codes
from custos.rights.ports import RightsNotifier
from custos.storage.repositories import rights_requests as repo
from custos.storage.uow import UnitOfWork


def send_code(
    uow: UnitOfWork,
    clock: Clock,
    notifier: RightsNotifier,
    ids: tuple[str, str],
    language: str,
) -> None:
    """A fresh code for request `ids[0]` of subject `ids[1]`; only its salted hash is kept."""
    request_id, subject_id = ids
    code, salt = codes.new_code(), codes.new_salt()
    expires = clock.now() + timedelta(seconds=codes.CODE_TTL_SECONDS)
    repo.save_code(uow.conn, request_id, repo.CodeRow(salt, codes.digest(salt, code), expires, 0))
    notifier.send(uow.conn, request_id, subject_id, "verification_code", language, code=code)


def check_code(uow: UnitOfWork, clock: Clock, request_id: str, code: str) -> str | None:
    """None when the code is right; else the reason code. Every try counts."""
    stored = repo.load_code(uow.conn, request_id)
    if stored is None or stored.attempts >= codes.MAX_ATTEMPTS:
        return "code_attempts_exhausted"
    repo.count_attempt(uow.conn, request_id)
    if clock.now() > stored.expires_at:
        return "code_expired"
    if not codes.matches(stored.salt, stored.code_hash, code):
        return "code_mismatch"
    return None
