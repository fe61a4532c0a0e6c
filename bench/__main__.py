"""Run every ``bench/bench_*.py`` module and print one table.

Each module exposes ``run() -> list[dict]`` built with :func:`bench._timing.row`. All
timings are medians over repeated runs on the same data, in this one process, so the
ratios compare like with like. ``python -m bench NAME ...`` runs only the named modules.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def _format(rows: list[dict]) -> str:
    header = ("benchmark", "ours (median)", "peer", "peer (median)", "ratio", "agreement")
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for r in rows:
        if r.get("peer_s") is None:
            lines.append(f"| {r['benchmark']} | {_t(r['ours_s'])} | - | - | - | {r['agreement']} |")
            continue
        lines.append(
            f"| {r['benchmark']} | {_t(r['ours_s'])} | {r['peer']} | {_t(r['peer_s'])} "
            f"| {r['ratio']:.2f}x | {r['agreement']} |"
        )
    return "\n".join(lines)


def _t(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if argv:
        names = [n for n in names if n in argv or n.removeprefix("bench_") in argv]
    rows: list[dict] = []
    for name in names:
        start = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        print(f"running {name} ...", flush=True)
        rows.extend(module.run())
        print(f"  done in {time.perf_counter() - start:.1f} s", flush=True)
    print()
    print("ratio = peer time / our time (above 1: we are faster)")
    print(_format(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
