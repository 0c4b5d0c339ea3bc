"""``python -m viz``: end to end, and refusing hostile or malformed input with exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from viz.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_python_m_viz_end_to_end(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "viz", "(x + y) * z", "--set", "x=-2", "y=5", "z=-4", "-o", str(tmp_path / "graph.svg")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "(x + y) * z = -12",
        "d/dx = -4, d/dy = -4, d/dz = 3",
        f"wrote {tmp_path / 'graph.svg'}",
    ]
    texts = [e.text for e in ElementTree.parse(tmp_path / "graph.svg").getroot().iter() if e.text]
    assert {"data -12", "grad 3", "local -4"} <= set(texts)


def test_html_player_for_example_b(tmp_path, capsys):
    out = tmp_path / "neuron.html"
    code = main(
        ["1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))", "--set", "w0=2", "x0=-1", "w1=-3", "x1=-2", "w2=-3"]
        + ["--html", "-o", str(out), "--number-format", ".2f"]
    )
    assert code == 0
    assert "d/dw0 = -0.20, d/dx0 = 0.39, d/dw1 = -0.39, d/dx1 = -0.59, d/dw2 = 0.20" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert page.count('"text": "') == 13 and page.count("<svg") == 1 and "http" not in page  # 13 steps, one picture


@pytest.mark.parametrize(
    ("arguments", "name", "start"),
    [
        (["--format", "png"], "graph.png", b"\x89PNG"),
        (["--format", "dot"], "graph.dot", b"digraph backprop {"),
        (["-o", "picture.dot"], "picture.dot", b"digraph backprop {"),
        (["-o", "picture", "--format", "png"], "picture.png", b"\x89PNG"),
    ],
)
def test_output_names_and_formats(tmp_path, monkeypatch, arguments, name, start):
    monkeypatch.chdir(tmp_path)
    assert main(["x * y", "--set", "x=2", "y=3", *arguments]) == 0
    assert (tmp_path / name).read_bytes().startswith(start)


HOSTILE = [
    "__import__('os').system('id')",
    "x.__class__",
    "().__class__.__bases__",
    "lambda: 1",
    "[x for x in y]",
    "x[0]",
    "open('f')",
    "1 +",
    "x + undefined_name",
    "exec('import os')",
    "getattr(x, 'data')",
    "x ** 2 if x else 0",
    "{x}",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_exits_with_2_and_points_at_it(text, tmp_path, capsys):
    out = tmp_path / "graph.svg"
    assert main([text, "--set", "x=1", "-o", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("python -m viz: error: ")
    assert "^" in error or "undefined_name" in error
    assert not out.exists()


def test_unset_variables_are_named(tmp_path, capsys):
    assert main(["(x + y) * z", "--set", "x=1", "-o", str(tmp_path / "g.svg")]) == 2
    assert "no value for the variable(s) y, z" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("setting", "words"), [("x", "NAME=VALUE"), ("x=two", "'two' is not a number"), ("1x=2", "NAME=VALUE")]
)
def test_malformed_settings_are_refused(setting, words, tmp_path, capsys):
    assert main(["x + 1", "--set", setting, "-o", str(tmp_path / "g.svg")]) == 2
    assert words in capsys.readouterr().err


def test_missing_renderer_exits_with_1_and_says_how_to_get_one(no_dot, tmp_path, capsys):
    assert main(["x * 2", "--set", "x=1", "-o", str(tmp_path / "g.svg")]) == 1
    assert "apt-get install graphviz" in capsys.readouterr().err


def test_html_with_a_picture_format_is_refused(tmp_path, capsys):
    assert main(["x * 2", "--set", "x=1", "--html", "--format", "png", "-o", str(tmp_path / "p.html")]) == 2
    assert "--format" in capsys.readouterr().err
