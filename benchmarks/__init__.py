"""Side-by-side benchmarks of tracegrad against its peers, run with ``python -m benchmarks``.

Each ``bench_*.py`` module measures one part of the library against a peer in
the same run and prints a markdown table with its ``main()``: medians of
repeated runs, and ratios. The helpers here are what every such table needs:
a timer, the table itself, and a description of the machine it was measured on.
"""

from __future__ import annotations

import datetime
import gc
import os
import platform
import time
from collections.abc import Callable, Sequence


def seconds(run: Callable[[], object]) -> float:
    """Wall-clock seconds of one call of ``run()``, started after a full garbage collection."""
    gc.collect()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def cpu_model() -> str:
    """The CPU's model name from ``/proc/cpuinfo`` (Linux), else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_summary() -> str:
    """One line for under a table: date, CPU and Python version."""
    return (
        f"{datetime.date.today().isoformat()}, {cpu_model()} ({os.cpu_count()} cores), "
        f"Python {platform.python_version()} ({platform.python_implementation()}) on {platform.system()}"
    )


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A markdown table; the first column is left-aligned, the others right-aligned."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
