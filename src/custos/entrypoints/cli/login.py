"""`custos login` / `custos logout`, and who the CLI acts as.

The CLI acts as the user of the session stored by `custos login` (file `session` in the
data directory, mode 0600). The one escape is the local operator — the person holding
the keyring at the console, who could decrypt everything anyway: `CUSTOS_OPERATOR=1`
lets `subjects` and `users` commands run without a session, for bootstrapping and
scripts on the host; every event they cause records `operator: true`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from custos.bootstrap import Container
from custos.entrypoints.cli.context import container_from, settings_from
from custos.entrypoints.cli.output import stdout
from custos.errors import AccessDenied, AuthenticationRequired
from custos.identity.model import Principal
from custos.vault.model import PrivacyContext

SESSION_FILE = "session"
OPERATOR_ENV = "CUSTOS_OPERATOR"


def session_path(ctx: typer.Context) -> Path:
    return settings_from(ctx).data_dir / SESSION_FILE


def operator_mode() -> bool:
    return os.environ.get(OPERATOR_ENV) == "1"


def current(ctx: typer.Context) -> Principal | None:
    """The signed-in principal, re-checked against the database; None in operator mode."""
    if operator_mode():  # an explicit choice on the host wins over a stored session
        return None
    path = session_path(ctx)
    if path.exists():
        token = path.read_text(encoding="utf-8").strip()
        return container_from(ctx).auth.authenticate(token)
    raise AuthenticationRequired(
        "not logged in: run `custos login --user NAME` (or CUSTOS_OPERATOR=1 on the host) "
        "/ 未登录：请先运行 custos login",
        code="not_logged_in",
    )


def actor_of(ctx: typer.Context) -> str:
    who = current(ctx)
    return who.actor if who is not None else f"operator:{settings_from(ctx).actor}"


def privacy_context(ctx: typer.Context, purpose: str) -> PrivacyContext:
    who = current(ctx)
    if who is None:
        return PrivacyContext(settings_from(ctx).actor, purpose, operator=True)
    return PrivacyContext(
        who.actor, purpose, who.roles, mfa=who.mfa, scope=who.purposes, account_id=who.account_id
    )


def require_role(ctx: typer.Context, *roles: str) -> tuple[Container, str]:
    """The container and the acting name, if the session holds one of `roles` (with MFA when
    the role is privileged) or the local operator runs the command."""
    container = container_from(ctx)
    who = current(ctx)
    if who is None:
        return container, f"operator:{settings_from(ctx).actor}"
    held = [r for r in who.roles if r in roles]
    if not held:
        raise AccessDenied(f"needs one of the roles: {', '.join(roles)}", code="role_required")
    catalog = container.catalog_roles()
    if any(catalog[r].privileged for r in held if r in catalog) and not who.mfa:
        raise AccessDenied("this role needs a second factor (TOTP)", code="mfa_required")
    return container, who.actor


def login(
    ctx: typer.Context,
    user: Annotated[str, typer.Option("--user", "-u", help="User name / 用户名")],
    password: Annotated[
        str, typer.Option("--password", prompt=True, hide_input=True, help="Password / 密码")
    ],
    otp: Annotated[
        str | None, typer.Option("--otp", help="TOTP or recovery code / 动态口令或恢复码")
    ] = None,
) -> None:
    """Sign in and keep the session for later commands. / 登录并保存会话。"""
    token = container_from(ctx).auth.login(user, password, otp)
    path = session_path(ctx)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(token)
    os.chmod(path, 0o600)
    stdout.print(f"logged in as {user} / 已登录: {user}")


def logout(ctx: typer.Context) -> None:
    """End the stored session. / 退出登录。"""
    path = session_path(ctx)
    if path.exists():
        container_from(ctx).auth.logout(path.read_text(encoding="utf-8").strip())
        path.unlink()
    stdout.print("logged out / 已退出")


def register(app: typer.Typer) -> None:
    app.command("login")(login)
    app.command("logout")(logout)
