#!/usr/bin/env python3
"""Run the benchmarks: `python3 dev.py bench [NAME ...]` (all when no name is given).

Each benchmark is a module `benchmarks/bench_<name>.py` with `main(argv) -> int`; it measures
Custos against a baseline or a peer tool in the same run and prints a results table to
paste into benchmarks/README.md.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> dict[str, Path]:
    return {p.stem.removeprefix("bench_"): p for p in sorted(HERE.glob("bench_*.py"))}


def main(argv: list[str]) -> int:
    benches = available()
    chosen = argv or list(benches)
    unknown = [name for name in chosen if name not in benches]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(benches)}")
        return 2
    status = 0
    for name in chosen:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", benches[name])
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"\n=== {name} ===", flush=True)
        status |= int(module.main([]))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
