"""Shared test set-up: under CI (``CI`` set), a skipped test fails the run.

Tests that compare with PyTorch skip when torch is missing; on a developer's
machine that is a convenience, in CI it would hide an untested engine.
Tests that render through the system Graphviz ``dot`` are marked ``system_dot``
and left out of the default run (see ``addopts`` in pyproject.toml), so a
machine without Graphviz passes ``make test``; ``pytest -m system_dot`` runs
them, and CI does so after installing Graphviz (.ci/run).
"""

import os
import sys
import threading

import pytest

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI") and _skipped:
        print(f"\nCI: {len(_skipped)} test(s) were skipped, which CI does not allow:")
        for nodeid in _skipped:
            print(f"  {nodeid}")
        session.exitstatus = 1


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that asks for the ``system_dot`` fixture is marked ``system_dot``, so the default run leaves it out."""
    for item in items:
        if "system_dot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.system_dot)


@pytest.fixture
def run_racing():
    """A runner of functions each in its own thread, the interpreter switching between them as often as it can.

    A busy machine may switch threads at any bytecode; a tiny switch interval
    makes the races a test looks for happen in a few thousand calls.
    """

    def run(*functions):
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        try:
            threads = [threading.Thread(target=function) for function in functions]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            sys.setswitchinterval(interval)

    return run
