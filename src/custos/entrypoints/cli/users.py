"""`custos users add|list|disable|roles|mfa-enroll|mfa-confirm|key`: staff accounts (security admin)."""

from __future__ import annotations

from typing import Annotated

import typer

from custos.entrypoints.cli.commands import subgroup
from custos.entrypoints.cli.login import require_role
from custos.entrypoints.cli.output import OutputFormat, emit_json, emit_table, stdout

ADMIN = "security_admin"
UserArg = Annotated[str, typer.Argument(help="User name / 用户名")]
RolesOpt = Annotated[list[str], typer.Option("--role", "-r", help="Role, repeatable / 角色")]


def add(
    ctx: typer.Context,
    user: UserArg,
    roles: RolesOpt,
    password: Annotated[
        str,
        typer.Option(
            "--password", prompt=True, hide_input=True, confirmation_prompt=True, help="密码"
        ),
    ],
) -> None:
    """Create a staff account (12+ characters, not a common password). / 创建员工账户。"""
    container, by = require_role(ctx, ADMIN)
    account = container.accounts.add(by, user, password, roles)
    stdout.print(f"created {account.username}: {', '.join(account.roles)} / 已创建")


def list_(
    ctx: typer.Context, fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE
) -> None:
    """List staff accounts. / 列出员工账户。"""
    container, _ = require_role(ctx, ADMIN, "auditor")
    accounts = container.accounts.list()
    rows = [[a.username, ",".join(a.roles), not a.active, a.mfa_enrolled] for a in accounts]
    if fmt is OutputFormat.JSON:
        emit_json([dict(zip(("user", "roles", "disabled", "mfa"), r, strict=True)) for r in rows])
    else:
        emit_table("accounts / 账户", ["user", "roles", "disabled", "mfa"], rows)


def disable(ctx: typer.Context, user: UserArg) -> None:
    """Disable an account; its sessions and keys stop at once. / 停用账户（立即生效）。"""
    container, by = require_role(ctx, ADMIN)
    container.accounts.disable(by, user)
    stdout.print(f"disabled {user} / 已停用")


def roles(ctx: typer.Context, user: UserArg, roles: RolesOpt) -> None:
    """Replace an account's roles (effective on its next request). / 更改角色。"""
    container, by = require_role(ctx, ADMIN)
    account = container.accounts.set_roles(by, user, roles)
    stdout.print(f"{account.username}: {', '.join(account.roles)}")


def mfa_enroll(
    ctx: typer.Context,
    user: UserArg,
    confirm: Annotated[
        str | None, typer.Option("--confirm", help="First TOTP code / 首个动态口令")
    ] = None,
) -> None:
    """Enrol TOTP: prints the otpauth URI and recovery codes once; then --confirm CODE. / 绑定动态口令。"""
    container, by = require_role(ctx, ADMIN)
    if confirm is not None:
        container.accounts.confirm_mfa(by, user, confirm)
        stdout.print(f"TOTP active for {user} / 已启用")
        return
    enrolment = container.accounts.enroll_mfa(by, user)
    print(enrolment.uri)
    stdout.print("recovery codes (shown once) / 恢复码（仅显示一次）:")
    for code in enrolment.recovery_codes:
        print(f"  {code}")


def key(
    ctx: typer.Context,
    user: UserArg,
    name: Annotated[str, typer.Option("--name")],
    role: Annotated[str, typer.Option("--role")],
    purposes: Annotated[list[str], typer.Option("--purpose", help="Repeatable / 可重复")],
    days: Annotated[int, typer.Option("--days", min=1, max=365)] = 90,
) -> None:
    """Issue an API key for a service account (shown once). / 签发 API 密钥（仅显示一次）。"""
    container, by = require_role(ctx, ADMIN)
    issued = container.auth.issue_key(by, user, name, role, purposes, days)
    stdout.print(f"key {issued.id}, expires {issued.expires_at.isoformat()}:")
    print(issued.key)


def register(app: typer.Typer) -> None:
    group = subgroup(app, "users", "Staff accounts / 员工账户")
    group.command("add")(add)
    group.command("list")(list_)
    group.command("disable")(disable)
    group.command("roles")(roles)
    group.command("mfa-enroll")(mfa_enroll)
    group.command("key")(key)
