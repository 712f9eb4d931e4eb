"""`custos retention plan|run|check|certificates|show|verify-certificate`."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from custos.audit.canonical import format_time
from custos.bootstrap import Container
from custos.entrypoints.cli.commands import subgroup
from custos.entrypoints.cli.errors import stderr
from custos.entrypoints.cli.login import current, require_role
from custos.entrypoints.cli.output import OutputFormat, emit_json, emit_table, stdout
from custos.errors import ValidationError
from custos.retention import certificate
from custos.retention.errors import InvalidCertificate
from custos.retention.model import Plan
from custos.rights.roles import ERASERS, READERS

FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="table or json / 输出格式")]
# Tests only: seconds to sleep after each committed batch, so a test can kill a run mid-way.
PAUSE_ENV = "CUSTOS_RETENTION_TEST_PAUSE"
_NAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}")


def _plan_rows(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "rule": ln.rule,
            "category": ln.category,
            "method": ln.method.value,
            "subjects": ln.subjects,
        }
        for ln in plan.lines
    ]


def _show_plan(plan: Plan, fmt: OutputFormat, title: str) -> None:
    rows = _plan_rows(plan)
    if fmt is OutputFormat.JSON:
        emit_json({"as_of": format_time(plan.as_of), "subjects": plan.subjects, "lines": rows})
        return
    emit_table(
        title,
        ["rule / 规则", "category / 类别", "method / 方式", "subjects / 主体数"],
        [[r["rule"], r["category"], r["method"], r["subjects"]] for r in rows],
    )
    stdout.print(f"{plan.subjects} subjects in total / 共 {plan.subjects} 个主体")


def plan(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """What a run would destroy now, by rule and category; changes nothing. / 预览将销毁的数据。"""
    container, _ = require_role(ctx, *READERS)
    _show_plan(container.retention.plan(), fmt, "Retention plan / 保存期限到期计划")


def _approver(ctx: typer.Context, given: str | None) -> tuple[Container, str]:
    """The signed-in privacy officer, or the host operator naming who approved (--approver)."""
    container, actor = require_role(ctx, *ERASERS)
    if current(ctx) is not None:
        return container, actor
    if given is None or _NAME.fullmatch(given) is None:
        raise ValidationError(
            "in operator mode, name the approver with --approver NAME / 运维模式下须用 --approver 指明审批人",
            code="approver_required",
        )
    return container, f"{actor}/approved-by:{given}"


def run(
    ctx: typer.Context,
    approver: Annotated[
        str | None, typer.Option("--approver", help="Who approved (operator mode) / 审批人")
    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, max=10000)] = 500,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Destroy or anonymise everything expired, in resumable batches. / 执行到期销毁（可恢复）。

    Writes a signed destruction certificate to <data dir>/certificates/retention-<run>.json.
    """
    container, who = _approver(ctx, approver)
    service = container.retention
    pause = float(os.environ.get(PAUSE_ENV, "0") or 0)
    total = service.plan().subjects if service.open_run() is None else None
    with Progress(
        "retention / 到期销毁", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=stderr, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("run", total=total)

        def advance(scanned: int) -> None:
            bar.advance(task, scanned)
            if pause:
                time.sleep(pause)

        state, resumed = service.run(who, batch_size, on_batch=advance)
    if fmt is OutputFormat.JSON:
        emit_json(json.loads(state.certificate or "{}"))
        return
    path = service.certificates_dir / f"retention-{state.id}.json"
    verb = "resumed and finished / 已恢复并完成" if resumed else "finished / 已完成"
    stdout.print(f"run {state.id} {verb}: {state.batches} batches; certificate {path}")


def check(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """Exit 1 if anything expired is not destroyed yet (for cron). / 检查逾期未销毁的数据。"""
    container, _ = require_role(ctx, *READERS)
    overdue, unfinished, holds = container.retention.check()
    problem = not overdue.empty or unfinished is not None or holds > 0
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "overdue_subjects": overdue.subjects,
                "lines": _plan_rows(overdue),
                "unfinished_run": unfinished.id if unfinished else None,
                "expired_legal_holds": holds,
            }
        )
    elif not problem:
        stdout.print("nothing overdue / 无逾期数据")
    else:
        _show_plan(overdue, fmt, "Overdue / 逾期未销毁")
        if unfinished is not None:
            stdout.print(f"unfinished run {unfinished.id} / 有未完成的运行")
        if holds:
            stdout.print(
                f"{holds} legal-hold records past their end / {holds} 条法定保存记录已到期"
            )
    if problem:
        raise typer.Exit(1)


def certificates(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """List retention runs and their certificates. / 列出销毁运行及证明。"""
    container, _ = require_role(ctx, *READERS)
    rows = [
        {
            "run": r.id,
            "status": r.status,
            "approver": r.approver,
            "started_at": format_time(r.started_at),
            "finished_at": format_time(r.finished_at) if r.finished_at else None,
            "batches": r.batches,
        }
        for r in container.retention.runs()
    ]
    if fmt is OutputFormat.JSON:
        emit_json(rows)
        return
    columns = [
        "run / 运行",
        "status / 状态",
        "approver / 审批人",
        "started / 开始",
        "finished / 结束",
    ]
    emit_table(
        "Retention runs / 销毁运行",
        [*columns, "batches / 批次"],
        [list(r.values()) for r in rows],
    )


def show(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(help="Run id / 运行 ID")],
    out: Annotated[Path | None, typer.Option("--out", help="Write to file / 写入文件")] = None,
) -> None:
    """Print (or save) a run's signed destruction certificate. / 显示销毁证明。"""
    container, _ = require_role(ctx, *READERS)
    document = container.retention.certificate(run_id)
    if out is not None:
        out.write_text(json.dumps(document, indent=2, sort_keys=True), encoding="utf-8")
        stdout.print(f"written to {out} / 已写出")
        return
    emit_json(document)


def verify_certificate(
    file: Annotated[Path, typer.Argument(help="Certificate JSON / 证明文件")],
) -> None:
    """Check a destruction certificate's signature (exit 3 if it fails). / 验证销毁证明签名。"""
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InvalidCertificate(f"{file.name} is not a readable JSON file") from None
    if not isinstance(document, dict) or not certificate.verify(document):
        raise InvalidCertificate("signature does not match / 签名不匹配", code="signature_invalid")
    stdout.print(f"valid, key {document['key_id']} / 签名有效")


def register(app: typer.Typer) -> None:
    group = subgroup(app, "retention", "Retention rules, runs and proofs. / 保存期限与销毁。")
    for name, command in (
        ("plan", plan), ("run", run), ("check", check), ("certificates", certificates),
        ("show", show), ("verify-certificate", verify_certificate),
    ):  # fmt: skip
        group.command(name)(command)
