"""Run every benchmark module (``benchmarks/bench_*.py``) and print its table.

``python -m benchmarks`` runs them all; ``python -m benchmarks value tensor``
runs ``bench_value`` and ``bench_tensor`` only.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import benchmarks


def benchmark_names() -> list[str]:
    """The names after ``bench_`` of the benchmark modules in this package, sorted."""
    return sorted(
        module.name.removeprefix("bench_")
        for module in pkgutil.iter_modules(benchmarks.__path__)
        if module.name.startswith("bench_")
    )


def main(selected: list[str] | None = None) -> None:
    available = benchmark_names()
    selected = selected or available
    unknown = [name for name in selected if name not in available]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(available)}")
    for name in selected:
        print(f"\n## bench_{name}\n", flush=True)
        importlib.import_module(f"benchmarks.bench_{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
