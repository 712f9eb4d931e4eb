"""Who a rights command acts as: the signed-in staff member (roles) or the host operator."""

from __future__ import annotations

import typer

from custos.bootstrap import Container
from custos.entrypoints.cli.login import current, require_role
from custos.rights.staff import Staff


def staff(ctx: typer.Context, *roles: str) -> tuple[Container, Staff]:
    """Signed in with one of `roles` (MFA where privileged) or the host operator; the rights
    services check the role again."""
    container, name = require_role(ctx, *roles)
    who = current(ctx)
    return container, Staff(name, who.roles if who else (), operator=who is None)
