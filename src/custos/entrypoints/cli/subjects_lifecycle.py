"""`custos subjects lifecycle ID --event churn|contract_end --at DATE`: retention triggers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer

from custos.entrypoints.cli.commands import subgroup
from custos.entrypoints.cli.login import require_role
from custos.entrypoints.cli.output import stdout
from custos.errors import ValidationError
from custos.retention.model import LifecycleEvent
from custos.rights.roles import HANDLERS


def _moment(text: str) -> datetime:
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError("--at must be an ISO date or time", code="invalid_time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def lifecycle(
    ctx: typer.Context,
    subject_id: Annotated[str, typer.Argument(help="Pseudonymous subject id / 主体假名 ID")],
    event: Annotated[
        LifecycleEvent, typer.Option("--event", help="churn or contract_end / 生命周期事件")
    ],
    at: Annotated[str, typer.Option("--at", help="When (ISO date) / 发生时间")],
) -> None:
    """Record that a customer left or their contract ended. / 记录客户流失或合同终止。"""
    container, actor = require_role(ctx, *HANDLERS)
    container.retention.record_lifecycle(actor, subject_id, event.value, _moment(at))
    stdout.print(f"recorded {event.value} for {subject_id} / 已记录")


def register(app: typer.Typer) -> None:
    group = subgroup(app, "subjects", "Customers in the vault / 保险库中的客户")
    group.command("lifecycle")(lifecycle)
