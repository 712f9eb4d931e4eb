"""Who handles a data-subject request, and the role check every rights step makes (default deny)."""

from __future__ import annotations

from dataclasses import dataclass

from custos.errors import AccessDenied


@dataclass(frozen=True, slots=True)
class Staff:
    """The acting person: audit name, roles, and whether it is the local host operator.

    The entry point authenticates (and demands MFA for privileged roles); the rights
    services still check the role themselves, so no caller can skip it.
    """

    name: str
    roles: tuple[str, ...] = ()
    operator: bool = False


def allow(who: Staff, roles: tuple[str, ...], step: str) -> None:
    """Refuse unless `who` holds one of `roles` (or is the host operator); nothing else passes."""
    if who.operator and who.name:
        return
    if not who.name or not any(r in roles for r in who.roles):
        raise AccessDenied(
            f"{step} needs one of the roles: {', '.join(roles)}",
            code="role_required",
            details={"step": step},
        )
