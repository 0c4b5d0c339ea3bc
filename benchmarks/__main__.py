"""Run every benchmark module (``benchmarks/bench_*.py``) and print its table.

``python -m benchmarks`` runs them all; ``python -m benchmarks value tensor``
runs ``bench_value`` and ``bench_tensor`` only. Each runs in a fresh Python
process: one benchmark's imports (torch's many objects, which every garbage
collection then walks) and allocator settings must not slow down the next.
"""

from __future__ import annotations

import pkgutil
import subprocess
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
    """Run the selected benchmarks (all when none are named), each in a fresh Python process."""
    available = benchmark_names()
    selected = selected or available
    unknown = [name for name in selected if name not in available]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(available)}")
    for name in selected:
        print(f"\n## bench_{name}\n", flush=True)
        subprocess.run([sys.executable, "-m", f"benchmarks.bench_{name}"], check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
