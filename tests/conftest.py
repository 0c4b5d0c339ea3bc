"""Shared test set-up: under CI (``CI`` set), a skipped test fails the run.

Tests that compare with PyTorch skip when torch is missing; on a developer's
machine that is a convenience, in CI it would hide an untested engine.
"""

import os

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
