"""k-anonymity on Adult (k=10, six QIs, ARX hierarchies) at 0/1/5% suppression: Custos vs ARX vs anjana.

ARX's figures are the reference measurements in ../shared/data/README.md (ARX 3.9, Flash,
Loss metric, Java, same kind of machine); anjana runs in the same process on the same data.
Prints a Markdown table for benchmarks/README.md.
"""

from __future__ import annotations

import contextlib
import io
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from custos.deid.kanon import metrics  # noqa: E402
from custos.deid.kanon.hierarchy import load_hierarchy  # noqa: E402
from custos.deid.kanon.model import Metric, PrivacySpec  # noqa: E402
from custos.deid.kanon.service import KanonRequest, anonymize, build_engine  # noqa: E402
from custos.deid.kanon.table import read_table  # noqa: E402

ADULT = ROOT.parent / "shared" / "data" / "adult"
QIS = ("age", "education", "marital-status", "occupation", "sex", "native-country")
K = 10
LIMITS = (0.0, 0.01, 0.05)
# ../shared/data/README.md: time (s), suppressed rows, classes, granularity (1 - loss)
ARX = {0.0: (0.046, 0, 30, 0.370), 0.01: (0.128, 274, 153, 0.613), 0.05: (0.150, 1366, 201, 0.758)}
ANJANA_README = {
    0.0: (5.05, 0, 12, 0.318),
    0.01: (4.78, 298, 73, 0.563),
    0.05: (3.97, 1099, 184, 0.727),
}


def _custos(table: Any, hierarchies: dict[str, Any], limit: float, repeat: int) -> dict[str, Any]:
    request = KanonRequest(
        qis=QIS, spec=PrivacySpec(k=K, suppression=limit), hierarchies=hierarchies
    )
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = anonymize(table, request)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    release = result.release
    return {
        "wall": statistics.median(walls),
        "best": min(walls),
        "cpu": statistics.median(cpus),
        "levels": release.levels,
        "suppressed": len(release.suppressed_rows),
        "classes": int((~release.outliers).sum()),
        "granularity": release.metrics["granularity"],
        "evaluated": result.stats.evaluated,
    }


def _granularity_at(table: Any, hierarchies: dict[str, Any], levels: tuple[int, ...]) -> float:
    """Custos's granularity of another tool's chosen levels (its small classes suppressed)."""
    request = KanonRequest(qis=QIS, spec=PrivacySpec(k=K, suppression=1.0), hierarchies=hierarchies)
    engine = build_engine(table, request)
    classes = engine.classes(levels)
    out = engine.outliers(classes)
    return 1.0 - metrics.evaluate(Metric.LOSS, engine.tables, engine.table, levels, classes, out)


def _anjana(limit: float) -> dict[str, Any] | None:
    try:
        import pandas as pd
        from anjana.anonymity import k_anonymity_inner  # type: ignore[import-not-found]
    except ImportError:
        return None
    data = pd.read_csv(ADULT / "adult.csv", sep=";")
    hierarchies = {
        c: dict(pd.read_csv(ADULT / f"adult_hierarchy_{c}.csv", sep=";", header=None)) for c in QIS
    }
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        anonymised, suppressed, levels = k_anonymity_inner(
            data, [], list(QIS), K, limit * 100, hierarchies
        )
    elapsed = time.perf_counter() - started
    return {
        "wall": elapsed,
        "suppressed": int(suppressed),
        "classes": int(anonymised.groupby(list(QIS)).ngroups),
        "levels": tuple(int(levels[c]) for c in QIS),
    }


def _same_as_arx(limit: float, mine: dict[str, Any]) -> bool:
    _, suppressed, classes, quality = ARX[limit]
    found = (mine["suppressed"], mine["classes"], round(mine["granularity"], 3))
    return found == (suppressed, classes, quality)


def _row(
    limit: float, mine: dict[str, Any], peer: dict[str, Any] | None, peer_q: float | None
) -> str:
    arx_time, arx_sup, arx_cls, arx_q = ARX[limit]
    same = _same_as_arx(limit, mine)
    peer_text = "not installed | - | - | -"
    if peer is not None:
        speedup = peer["wall"] / mine["wall"]
        peer_text = (
            f"{peer['wall']:.2f} s | {peer['suppressed']} / {peer['classes']} | "
            f"{peer_q:.3f} | {speedup:.0f}x"
        )
    return (
        f"| {limit:.0%} | {mine['wall'] * 1000:.0f} ms ({mine['cpu'] * 1000:.0f} ms CPU) | "
        f"{mine['levels']} | {mine['suppressed']} / {mine['classes']} | "
        f"{arx_time * 1000:.0f} ms | {arx_sup} / {arx_cls} | {'yes' if same else 'NO'} | "
        f"{mine['granularity']:.3f} (ARX {arx_q:.3f}) | {peer_text} |"
    )


def main(argv: list[str]) -> int:
    repeat = int(argv[0]) if argv else 5
    if not (ADULT / "adult.csv").exists():
        print(f"skipped: {ADULT} not found")
        return 0
    started = time.perf_counter()
    table = read_table(ADULT / "adult.csv")
    hierarchies = {c: load_hierarchy(ADULT / f"adult_hierarchy_{c}.csv", c) for c in QIS}
    print(f"read Adult ({table.rows} rows) in {time.perf_counter() - started:.3f} s")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d}; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        "| limit | Custos time (median) | Custos levels | Custos suppressed / classes | "
        "ARX time | ARX suppressed / classes | same optimum | Custos granularity | "
        "anjana time | anjana suppressed / classes | anjana granularity (Custos's measure) | "
        "speed-up vs anjana |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    status = 0
    for limit in LIMITS:
        mine = _custos(table, hierarchies, limit, repeat)
        peer = _anjana(limit)
        peer_q = None if peer is None else _granularity_at(table, hierarchies, peer["levels"])
        print(_row(limit, mine, peer, peer_q), flush=True)
        if not _same_as_arx(limit, mine):
            status = 1
    print(
        "\nanjana figures in ../shared/data/README.md: "
        + ", ".join(
            f"{lim:.0%}: {v[0]} s, {v[1]} / {v[2]}, {v[3]}" for lim, v in ANJANA_README.items()
        )
    )
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
