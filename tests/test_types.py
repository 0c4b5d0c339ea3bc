"""The type hints hold: ``mypy`` (configured in pyproject.toml) finds no error in ``autograd``, ``nn`` and ``viz``,
and the packages ship ``py.typed`` so that users' type checkers read those hints."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_finds_no_error_in_the_packages(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found in")


@pytest.mark.parametrize("package", ["autograd", "nn", "viz"])
def test_each_package_is_marked_typed(package: str):
    assert (ROOT / package / "py.typed").is_file()
