"""`custos init`, `custos demo`, `custos serve`: set up a data directory, fill it, serve it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from custos.bootstrap import initialize
from custos.entrypoints.cli.context import container_from, settings_from
from custos.entrypoints.cli.output import stdout

EXAMPLE_CATALOG = Path(__file__).resolve().parents[4] / "examples" / "catalog.yaml"


def init(ctx: typer.Context) -> None:
    """Create the data directory, database, keyring and signing key. / 创建数据目录、数据库、密钥环和签名密钥。"""
    result = initialize(settings_from(ctx))
    verb = "Created" if result.created else "Already initialised"
    stdout.print(f"{verb} / {'已创建' if result.created else '已初始化'}: {result.data_dir}")
    stdout.print(f"  database / 数据库:        {result.database}")
    stdout.print(f"  keyring / 密钥环:         {result.keyring}")
    stdout.print(f"  audit signing key / 审计签名密钥: {result.signing_key}")
    if result.api_token:
        stdout.print(
            "  bootstrap API token (shown once, stored hashed) / 初始 API 令牌（仅显示一次）:"
        )
        print(f"  {result.api_token}")


def demo(
    ctx: typer.Context,
    subjects: Annotated[
        int,
        typer.Option(
            "--subjects", min=0, max=10_000_000, help="How many synthetic customers / 合成客户数量"
        ),
    ] = 1000,
    catalog: Annotated[
        Path,
        typer.Option(
            "--catalog", exists=True, dir_okay=False, help="Catalog to apply / 要应用的目录"
        ),
    ] = EXAMPLE_CATALOG,
    seed: Annotated[int, typer.Option("--seed", help="Random seed / 随机种子")] = 20261123,
) -> None:
    """Apply the example catalog and load synthetic customers (Faker zh_CN and en_US). / 加载演示数据。"""
    from custos.demo.loader import load_demo

    settings = settings_from(ctx)
    initialize(settings)
    container = container_from(ctx)
    with tempfile.TemporaryDirectory(prefix="custos-demo-") as tmp:
        report = load_demo(container, catalog, subjects, seed, Path(tmp))
    stdout.print(
        f"Catalog version {report.catalog_version}; imported {report.imported} synthetic customers "
        f"/ 已导入 {report.imported} 位合成客户"
    )
    if report.example_subject:
        stdout.print(
            f"Try / 试试: custos login --user NAME, then "
            f"custos subjects get {report.example_subject} --purpose {report.purpose}\n"
            "  (on the host without an account / 本机运维: CUSTOS_OPERATOR=1 custos subjects get …)"
        )


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to bind / 监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port / 端口")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=16, help="Worker processes")] = 1,
) -> None:
    """Serve the REST API (OpenAPI at /openapi.json). / 启动 REST API 服务。"""
    import os

    import uvicorn

    settings = settings_from(ctx)
    container_from(ctx)  # fail now, with a clear message, if the directory is not initialised
    os.environ["CUSTOS_DATA_DIR"] = str(settings.data_dir.resolve())
    stdout.print(f"Custos API on http://{host}:{port}/api/v1 (docs: /docs) / API 已启动")
    uvicorn.run(
        "custos.entrypoints.api.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # request lines carry nothing personal, but keep logs minimal anyway
        log_level="warning",
    )


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("demo")(demo)
    app.command("serve")(serve)
