"""`custos audit …`: verify the log, export it, prove inclusion and consistency, sign checkpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from custos.audit.merkle import verify_consistency, verify_inclusion
from custos.audit.model import AuditEvent, Outcome, ProblemCode, VerificationReport
from custos.entrypoints.cli.commands import subgroup
from custos.entrypoints.cli.context import container_from
from custos.entrypoints.cli.errors import stderr
from custos.entrypoints.cli.output import OutputFormat, emit_json, stdout
from custos.errors import IntegrityViolation

FormatOption = Annotated[
    OutputFormat, typer.Option("--format", help="table or json / 输出格式：table 或 json")
]

PROBLEM_ZH = {
    ProblemCode.MISSING_EVENT: "事件缺失（被删除或截断）",
    ProblemCode.UNEXPECTED_EVENT: "出现多余的事件（被插入）",
    ProblemCode.CHAIN_MISMATCH: "哈希链不匹配（被修改、插入或重排）",
    ProblemCode.HEAD_MISMATCH: "日志头与事件不一致",
    ProblemCode.TRUNCATED: "日志被截断",
    ProblemCode.ROOT_MISMATCH: "事件与已签名检查点的 Merkle 根不一致（被改写）",
    ProblemCode.CONFLICTING_ROOTS: "同一树大小存在两个不同的根",
    ProblemCode.BAD_SIGNATURE: "检查点签名无效（伪造）",
    ProblemCode.UNKNOWN_KEY: "检查点由未知密钥签名",
    ProblemCode.CHECKPOINT_MISSING: "检查点缺失（被删除）",
}


def verify(
    ctx: typer.Context,
    checkpoints: Annotated[
        Path | None,
        typer.Option(
            "--checkpoints",
            exists=True,
            dir_okay=False,
            help="Also check against an exported checkpoint file / 同时对照导出的检查点文件校验",
        ),
    ] = None,
    quick: Annotated[
        bool,
        typer.Option(
            "--quick",
            help="Check every event against the signed Merkle roots and the head; recompute "
            "chain hashes only to locate a failure / 快速模式：按已签名的 Merkle 根校验全部事件，"
            "仅在失败时重算哈希链以定位",
        ),
    ] = False,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Verify the whole audit log; exit 0 when intact, else name the first bad sequence number.
    / 校验整个审计日志；完好时退出码为 0，否则给出第一个出错的序号。"""
    container = container_from(ctx)
    with stderr.status("verifying the audit log / 正在校验审计日志"):
        report = container.audit.verify(container.engine, checkpoints, full_chain=not quick)
    if fmt is OutputFormat.JSON:
        emit_json(_report_json(report))
    else:
        _print_report(report)
    if not report.ok:
        raise typer.Exit(IntegrityViolation.exit_code)


def _report_json(report: VerificationReport) -> dict[str, Any]:
    problem = report.problem
    return {
        "ok": report.ok,
        "events_checked": report.events_checked,
        "checkpoints_checked": report.checkpoints_checked,
        "tree_size": report.tree_size,
        "first_bad_seq": report.first_bad_seq,
        "problem": None
        if problem is None
        else {"code": problem.code.value, "seq": problem.seq, "message": problem.message},
    }


def _print_report(report: VerificationReport) -> None:
    checked = (
        f"{report.events_checked} events, {report.checkpoints_checked} checkpoints / "
        f"{report.events_checked} 个事件，{report.checkpoints_checked} 个检查点"
    )
    problem = report.problem
    if problem is None:
        stdout.print(f"[green]OK[/] audit log intact / 审计日志完好 ({checked})")
        return
    stdout.print(
        f"[bold red]TAMPERED[/] first bad seq {problem.seq} / 第一个出错的序号 {problem.seq}\n"
        + escape(f"  [{problem.code.value}] {problem.message}\n  {PROBLEM_ZH[problem.code]}")
        + f"\n  ({checked})",
        markup=True,
    )


def export(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", dir_okay=False, help="JSON Lines file / JSON Lines 文件")
    ],
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Export every event as JSON Lines: exactly the canonical bytes that are hashed.
    / 以 JSON Lines 导出全部事件（即被哈希的规范字节）。"""
    container = container_from(ctx)
    with container.uow() as uow:
        count = container.audit.export_jsonl(uow.conn, out)
        event = AuditEvent(
            actor=container.settings.actor,
            action="audit.export",
            outcome=Outcome.SUCCESS,
            details={"events": count},
        )
        container.audit.append(uow.conn, event)
        uow.commit()
    if fmt is OutputFormat.JSON:
        emit_json({"events": count, "out": str(out)})
    else:
        stdout.print(f"exported {count} events to {out} / 已导出 {count} 个事件", markup=False)


def proof(
    ctx: typer.Context,
    seq: Annotated[int, typer.Argument(help="Sequence number of the event / 事件序号")],
    tree_size: Annotated[
        int | None,
        typer.Option("--tree-size", help="Prove against this tree size / 针对此树大小证明"),
    ] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Inclusion proof (RFC 9162) that event SEQ is in the log. / 事件包含证明（RFC 9162）。"""
    container = container_from(ctx)
    with container.uow() as uow:
        p = container.audit.inclusion_proof(uow.conn, seq, tree_size)
    valid = verify_inclusion(p.leaf_hash, p.seq - 1, p.tree_size, p.path, p.root)
    data = {
        "seq": p.seq,
        "leaf_index": p.seq - 1,
        "tree_size": p.tree_size,
        "leaf_hash": p.leaf_hash.hex(),
        "root": p.root.hex(),
        "path": [h.hex() for h in p.path],
        "verified": valid,
    }
    _emit_proof("Inclusion proof / 包含证明", data, fmt)


def consistency(
    ctx: typer.Context,
    old: Annotated[int, typer.Argument(help="Older tree size / 较早的树大小")],
    new: Annotated[int, typer.Argument(help="Newer tree size / 较新的树大小")],
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Consistency proof (RFC 9162) that tree OLD is a prefix of tree NEW. / 一致性证明。"""
    container = container_from(ctx)
    with container.uow() as uow:
        p = container.audit.consistency_proof(uow.conn, old, new)
    valid = verify_consistency(p.old_size, p.new_size, p.old_root, p.new_root, p.path)
    data = {
        "old_size": p.old_size,
        "new_size": p.new_size,
        "old_root": p.old_root.hex(),
        "new_root": p.new_root.hex(),
        "path": [h.hex() for h in p.path],
        "verified": valid,
    }
    _emit_proof("Consistency proof / 一致性证明", data, fmt)


def _emit_proof(title: str, data: dict[str, Any], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.JSON:
        emit_json(data)
    else:
        stdout.print(title, markup=False)
        for key, value in data.items():
            lines = value if isinstance(value, list) else [value]
            stdout.print(f"  {key}: " + "\n    ".join(map(str, lines)), markup=False)
    if not data["verified"]:
        raise typer.Exit(IntegrityViolation.exit_code)


def checkpoint(
    ctx: typer.Context,
    export_to: Annotated[
        Path | None,
        typer.Option(
            "--export",
            dir_okay=False,
            help="Also copy every checkpoint to this file / 同时把全部检查点复制到此文件",
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Sign a checkpoint of the current tree now. / 立即为当前日志签署检查点。"""
    container = container_from(ctx)
    with container.uow() as uow:
        cp = container.audit.checkpoint(uow.conn)
        uow.commit()
        exported = container.audit.export_checkpoints(uow.conn, export_to) if export_to else None
    data = {
        "tree_size": cp.tree_size,
        "root": cp.root.hex(),
        "signed_at": cp.signed_at.isoformat(),
        "key_id": cp.key_id,
        "exported": exported,
        "export_file": str(export_to) if export_to else None,
    }
    if fmt is OutputFormat.JSON:
        emit_json(data)
        return
    stdout.print(
        f"checkpoint signed / 已签署检查点: tree size {cp.tree_size}, root {cp.root.hex()}, "
        f"key {cp.key_id}",
        markup=False,
    )
    if export_to:
        stdout.print(f"{exported} checkpoints copied to {export_to} / 检查点已导出", markup=False)


def register(app: typer.Typer) -> None:
    group = subgroup(app, "audit", "Tamper-evident audit log / 防篡改审计日志")
    group.command("verify")(verify)
    group.command("export")(export)
    group.command("proof")(proof)
    group.command("consistency")(consistency)
    group.command("checkpoint")(checkpoint)
