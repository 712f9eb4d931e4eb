"""PII discovery: Custos against Presidio (pattern recognizers, blank spaCy) on the same texts.

    python3 dev.py bench discovery
    python benchmarks/bench_discovery.py --records 2000 --mixed-mb 8

Reports, in one run: throughput (texts/s, MB/s of UTF-8, CPU time of this one process) and
recall/precision on the entity types both tools support, on pii-en (shared data) and on the
generated bilingual corpus; Custos' precision/recall per entity on the bilingual corpus; and
Custos' MB/s per core on a large mixed zh/en text. Targets from issue 6 are checked at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from custos.discovery.config import build_engine
from discovery.evaluate import (
    BILINGUAL_COMMON,
    SHARED_TYPES,
    TO_DATASET,
    Counts,
    Span,
    bilingual_dataset,
    mapped,
    presidio_dataset,
    score,
    table,
    total,
)
from discovery.presidio_peer import load_presidio

STRUCTURED = ("BANK_CARD", "CN_MOBILE", "CN_RESIDENT_ID", "CN_USCC", "EMAIL_ADDRESS", "IBAN_CODE")
BILINGUAL_SHARED = ("BANK_CARD", "EMAIL_ADDRESS", "IBAN_CODE", "IP_ADDRESS", "PHONE")
Analyze = Callable[[str], list[Span]]


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def timed(
    analyze: Analyze, texts: Sequence[str], repeat: int = 1
) -> tuple[list[list[Span]], float]:
    """Predictions and the best CPU time (this process only) over `repeat` runs."""
    best = float("inf")
    predictions: list[list[Span]] = []
    for _ in range(repeat):
        start = time.process_time()
        predictions = [analyze(text) for text in texts]
        best = min(best, time.process_time() - start)
    return predictions, max(best, 1e-9)


def custos_analyzer() -> Analyze:
    engine = build_engine()
    return lambda text: [(d.entity, d.start, d.end) for d in engine.analyze(text, 0.5)]


def rate_row(name: str, texts: Sequence[str], seconds: float, counts: dict[str, Counts]) -> str:
    size = sum(len(t.encode()) for t in texts) / 1e6
    all_ = total(counts)
    return (
        f"| {name} | {len(texts) / seconds:,.0f} | {size / seconds:.2f} | "
        f"{all_.recall:.3f} | {all_.precision:.3f} |"
    )


def compare(
    title: str,
    data: list[tuple[str, list[Span]]],
    ours: Analyze,
    peer: Analyze | None,
    ours_map: dict[str, str] | None,
    peer_map: dict[str, str],
    entities: Sequence[str],
    gold_map: dict[str, str] | None = None,
) -> tuple[float, float, dict[str, Counts], dict[str, Counts] | None]:
    gold_map = gold_map or {}
    texts = [t for t, _ in data]
    golds = [[(gold_map.get(e, e), s, x) for e, s, x in g] for _, g in data]
    ours_fn = mapped(ours, ours_map) if ours_map else ours
    ours_pred, ours_s = timed(ours_fn, texts, repeat=3)
    ours_counts = score(zip(ours_pred, golds, strict=True), entities)
    lines = [f"**{title}** ({len(texts)} texts, {sum(len(t.encode()) for t in texts) / 1e6:.2f} MB)",
             "", "| tool | texts/s | MB/s | recall | precision |", "|---|---|---|---|---|",
             rate_row("Custos", texts, ours_s, ours_counts)]  # fmt: skip
    peer_counts, ratio = None, 0.0
    if peer is not None:
        peer_pred, peer_s = timed(mapped(peer, peer_map), texts)
        peer_counts = score(zip(peer_pred, golds, strict=True), entities)
        lines.append(rate_row("Presidio", texts, peer_s, peer_counts))
        ratio = peer_s / ours_s
        lines.append(f"\nCustos is **{ratio:.0f}x** Presidio's throughput on these texts.")
    print("\n".join(lines) + "\n")
    print(table(f"{title}: Custos per entity", ours_counts) + "\n")
    if peer_counts is not None:
        print(table(f"{title}: Presidio per entity", peer_counts) + "\n")
    return ratio, ours_s, ours_counts, peer_counts


def mixed_text(
    data: list[tuple[str, list[Span]]], megabytes: float, paragraphs: int
) -> tuple[str, int]:
    """(text, identifiers in it): Faker zh_CN / en_US prose, `paragraphs` pairs of one Chinese
    and one English paragraph between corpus records (0: corpus records only)."""
    from faker import Faker

    Faker.seed(1)
    zh, en = Faker("zh_CN"), Faker("en_US")
    pieces: list[str] = []
    size = identifiers = 0
    for text, gold in data:
        if size >= min(megabytes, 1.0) * 1e6:
            break
        start = len(pieces)
        if paragraphs:
            for _ in range(paragraphs):
                pieces += [zh.paragraph(nb_sentences=4), en.paragraph(nb_sentences=3), "\n"]
        pieces.append(text)
        identifiers += len(gold)
        size += sum(len(p.encode()) for p in pieces[start:])
    unit = "".join(pieces)
    repeat = max(1, round(megabytes * 1e6 / len(unit.encode())))
    return unit * repeat, identifiers * repeat


def mixed_throughput(text: str) -> float:
    """MB/s of one core (CPU time) on one large text, analysed in 64 KiB chunks like a file."""
    engine = build_engine()
    chunks = [text[i : i + 65536] for i in range(0, len(text), 65536)]
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for chunk in chunks:
            engine.analyze(chunk, 0.5)
        best = min(best, time.process_time() - start)
    return len(text.encode()) / 1e6 / best


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Custos discovery vs Presidio")
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--mixed-mb", type=float, default=8.0)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}\ndate: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n")
    presidio, description = load_presidio()
    print(f"peer: {description}\n")
    peer: Analyze | None = None
    if presidio is not None:
        peer = lambda text: [(e, s, x) for e, s, x, _ in presidio(text)]  # noqa: E731
    else:
        print("!! Presidio is missing: only Custos is measured; ratios cannot be checked.\n")
    ours = custos_analyzer()
    ratio_en, _, ours_en, peer_en = compare(
        "pii-en (English, shared types)", presidio_dataset(), ours, peer, TO_DATASET,
        {k: k for k in SHARED_TYPES}, SHARED_TYPES,
    )  # fmt: skip
    bilingual = bilingual_dataset(args.records)
    ratio_bi, _, ours_bi_shared, peer_bi = compare(
        "bilingual corpus (shared types)", bilingual, ours, peer, BILINGUAL_COMMON,
        BILINGUAL_COMMON, BILINGUAL_SHARED, gold_map=BILINGUAL_COMMON,
    )  # fmt: skip
    entities = sorted({g[0] for _, gold in bilingual for g in gold})
    ours_all = score(((ours(t), g) for t, g in bilingual), entities)
    print(table("bilingual corpus: Custos, all entities", ours_all) + "\n")
    print("**mixed zh/en text, one core** (CPU time, best of 3)\n")
    print("| text | size | identifiers per KB | MB/s |\n|---|---|---|---|")
    rates = {}
    for paragraphs in (12, 3, 0):
        text, identifiers = mixed_text(bilingual, args.mixed_mb, paragraphs)
        size = len(text.encode())
        rates[paragraphs] = mixed_throughput(text)
        kind = f"prose, {paragraphs} zh+en paragraphs per record" if paragraphs else "records only"
        print(f"| {kind} | {size / 1e6:.1f} MB | {identifiers * 1000 / size:.2f} | "
              f"{rates[paragraphs]:.1f} |")  # fmt: skip
    print()
    mbps = rates[12]
    return _targets(ratio_en, ratio_bi, ours_en, peer_en, ours_bi_shared, peer_bi, ours_all, mbps)


def _targets(
    ratio_en: float, ratio_bi: float, ours_en: dict[str, Counts], peer_en: dict[str, Counts] | None,
    ours_bi: dict[str, Counts], peer_bi: dict[str, Counts] | None, ours_all: dict[str, Counts],
    mbps: float,
) -> int:  # fmt: skip
    checks = [(f"mixed zh/en prose >= 10 MB/s per core ({mbps:.1f})", mbps >= 10)]
    for entity in STRUCTURED:
        c = ours_all[entity]
        checks.append((f"{entity} P/R >= 0.95 ({c.precision:.3f}/{c.recall:.3f})",
                       c.precision >= 0.95 and c.recall >= 0.95))  # fmt: skip
    if peer_en is not None and peer_bi is not None:
        checks.append((f">= 20x Presidio on pii-en ({ratio_en:.0f}x)", ratio_en >= 20))
        checks.append((f">= 20x Presidio on bilingual ({ratio_bi:.0f}x)", ratio_bi >= 20))
        for name, ours, theirs in (("pii-en", ours_en, peer_en), ("bilingual", ours_bi, peer_bi)):
            r_ours, r_theirs = total(ours).recall, total(theirs).recall
            checks.append((f"recall >= Presidio on {name} ({r_ours:.3f} vs {r_theirs:.3f})",
                           r_ours >= r_theirs))  # fmt: skip
    print("| target | met |\n|---|---|")
    for text, ok in checks:
        print(f"| {text} | {'yes' if ok else 'NO'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
