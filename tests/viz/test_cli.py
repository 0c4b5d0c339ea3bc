"""``python -m viz``: end to end, and refusing hostile or malformed input with exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from viz import cli
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
    ("setting", "words"),
    [
        ("x", "NAME=VALUE"),
        ("x=two", "'two' is not a number"),
        ("1x=2", "NAME=VALUE"),
        ("x=nan", "give a finite number"),
        ("x=1e999", "give a finite number"),
        ("x=" + "9" * 5000, f"--set x={'9' * 38}... (5,002 characters): give a finite"),  # (not echoed whole)
        ("x=" + "a" * 5000, f"'{'a' * 40}... (5,000 characters)' is not a number"),
    ],
)
def test_malformed_settings_are_refused(setting, words, tmp_path, capsys):
    assert main(["x + 1", "--set", setting, "-o", str(tmp_path / "g.svg")]) == 2
    assert words in capsys.readouterr().err


def test_missing_renderer_exits_with_1_and_says_how_to_get_one(no_dot, tmp_path, capsys):
    assert main(["x * 2", "--set", "x=1", "-o", str(tmp_path / "g.svg")]) == 1
    assert "apt-get install graphviz" in capsys.readouterr().err


def test_the_html_player_of_the_largest_expression_accepted_draws_every_variable(tmp_path, capsys):
    expression = "x"
    for _ in range(20):  # 40 operations, the most accepted
        expression = f"({expression} * 1.01 + 0.5)"
    out = tmp_path / "deep.html"
    assert main([expression, "--set", "x=1", "--html", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "graph cut" not in page and "grad of x" in page


def test_html_with_a_picture_format_is_refused(tmp_path, capsys):
    assert main(["x * 2", "--set", "x=1", "--html", "--format", "png", "-o", str(tmp_path / "p.html")]) == 2
    assert "--format" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--format", "png", "-o", "a.svg"], "-o a.svg names a .svg file, but --format is png: make them agree"),
        (["--format", "svg", "-o", "a.dot"], "-o a.dot names a .dot file, but --format is svg"),
        (["--html", "-o", "a.svg"], "--html writes a web page; give a name ending in .html"),
        (["-o", "a.html"], "a picture is .svg, .png or .dot; add --html for the step-by-step player"),
        (["-o", "a.txt"], "give a name ending in .svg, .png or .dot, or choose one with --format"),
        (["-o", ".svg"], "-o .svg: give the file a name and an extension, such as graph.svg"),  # (had written .svg.svg)
        (["-o", "graph."], "-o graph.: give the file a name and an extension"),  # (had written graph..svg)
    ],
)
def test_an_output_name_that_disagrees_with_what_is_written_is_refused(arguments, words, tmp_path, monkeypatch, capsys):
    """PNG bytes had gone into a.svg, SVG into a.dot, a web page into a.svg."""
    monkeypatch.chdir(tmp_path)
    assert main(["x * 2", "--set", "x=1", *arguments]) == 2
    assert words in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_html_player_named_without_an_extension_gets_html(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["x * 2", "--set", "x=1", "--html", "-o", "player"]) == 0
    assert (tmp_path / "player.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_an_expression_too_large_to_draw_is_refused(tmp_path, capsys):
    out = tmp_path / "graph.svg"
    assert main(["+".join(["x"] * 60), "--set", "x=1", "-o", str(out)]) == 2
    assert "has 59 operations; at most 40 are accepted" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("player", [[], ["--html"]])
def test_a_layout_that_takes_too_long_ends_with_exit_2_and_advice(slow_dot, monkeypatch, tmp_path, capsys, player):
    monkeypatch.setattr(cli, "TIME_LIMIT", 0.5)
    out = tmp_path / ("page.html" if player else "graph.svg")
    assert main(["(x + y) * z", "--set", "x=-2", "y=5", "z=-4", *player, "-o", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("python -m viz: error: ") and "within 0.5 s" in error
    assert "fewer nodes" in error and "--no-local-grads" in error
    assert not out.exists()


@pytest.mark.parametrize(
    ("number_format", "words"),
    [
        (">100000000", "pads every number to 100000000 characters; at most 40"),
        (".100000000f", "asks for 100000000 digits; at most 20"),
        ("d", "a format spec for floats such as '.4g'"),
        ("{}", "a format spec for floats such as '.4g'"),
    ],
)
def test_number_formats_are_checked_before_anything_runs(number_format, words, tmp_path, capsys):
    out = tmp_path / "graph.svg"
    with pytest.raises(SystemExit) as exit_info:
        main(["x * 2", "--set", "x=1", "--number-format", number_format, "-o", str(out)])
    assert exit_info.value.code == 2
    assert words in capsys.readouterr().err
    assert not out.exists()


def test_a_sensible_number_format_is_used_everywhere(tmp_path, capsys):
    assert main(["x / 3", "--set", "x=1", "--number-format", "+.3f", "-o", str(tmp_path / "g.svg")]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == ["x / 3 = +0.333", "d/dx = +0.333"]
    assert "data +0.333" in (tmp_path / "g.svg").read_text()


@pytest.mark.parametrize(("text", "name"), [("ｘ*2", "ｘ"), ("ｘ*2", "x"), ("x*2", "ｘ")])
def test_set_reads_names_as_the_expression_does(text, name, tmp_path, capsys):
    """Python reads names in NFKC form, so the full-width ｘ is x wherever it is typed."""
    assert main([text, "--set", f"{name}=3", "-o", str(tmp_path / "g.svg")]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [f"{text} = 6", "d/dx = 2"]


@pytest.mark.parametrize(
    ("settings", "words"),
    [(["x=1", "x=2"], "gives x a value twice"), (["ｘ=1", "x=2"], "'ｘ' and 'x' are the same name")],
)
def test_one_name_set_twice_is_refused(settings, words, tmp_path, capsys):
    assert main(["x * 2", "--set", *settings, "-o", str(tmp_path / "g.svg")]) == 2
    assert words in capsys.readouterr().err


def test_output_paths_that_cannot_be_written_are_named(tmp_path, monkeypatch, capsys):
    assert main(["x * 2", "--set", "x=1", "-o", str(tmp_path)]) == 2
    assert f"-o {tmp_path} is a folder: give a file name, such as {tmp_path / 'graph.svg'}" in capsys.readouterr().err
    assert main(["x * 2", "--set", "x=1", "--html", "-o", str(tmp_path)]) == 2
    assert "backprop.html" in capsys.readouterr().err
    missing = tmp_path / "no such folder" / "g.svg"
    assert main(["x * 2", "--set", "x=1", "-o", str(missing)]) == 2
    assert f"the folder {missing.parent} does not exist" in capsys.readouterr().err
    too_long = tmp_path / ("a" * 300 + ".svg")  # longer than a file name may be (255 bytes on Linux)
    for html in ([], ["--html"]):
        assert main(["x * 2", "--set", "x=1", "-o", str(too_long), *html]) == 2
        assert "File name too long" in capsys.readouterr().err

    def refuse(path, data):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(Path, "write_bytes", refuse)
    assert main(["x * 2", "--set", "x=1", "-o", str(tmp_path / "g.svg")]) == 2
    assert f"cannot write {tmp_path / 'g.svg'}: Permission denied" in capsys.readouterr().err


def test_ctrl_c_stops_with_a_line_not_a_traceback(monkeypatch, capsys):
    import viz.cli

    def interrupted(arguments):
        raise KeyboardInterrupt

    monkeypatch.setattr(viz.cli, "run", interrupted)
    assert main(["x * 2", "--set", "x=1"]) == 130
    assert capsys.readouterr().err == "python -m viz: stopped (Ctrl-C)\n"


def test_a_result_that_is_not_finite_says_so(tmp_path, capsys):
    assert main(["log(x)", "--set", "x=-1", "-o", str(tmp_path / "g.svg")]) == 0
    assert "log(x) = nan (not a finite number: outside the function's domain" in capsys.readouterr().out


def test_an_empty_name_a_pipe_or_a_device_as_output_is_refused(tmp_path, capsys):
    fifo = tmp_path / "g.svg"
    os.mkfifo(fifo)
    for output, words in (("", "-o needs a file name"), (str(fifo), "is a pipe or a device"), ("/dev/null", "device")):
        assert main(["x * 2", "--set", "x=1", "-o", output]) == 2  # a pipe had blocked until killed
        assert words in capsys.readouterr().err


def test_a_closed_pipe_ends_quietly_and_a_full_disk_is_one_line(tmp_path):
    command = [sys.executable, "-m", "viz", "x * 2", "--set", "x=1", "-o", str(tmp_path / "g.svg")]
    reader = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader.stdout.close()
    assert reader.wait(timeout=120) == 1 and "Traceback" not in reader.stderr.read()
    with open("/dev/full", "w") as full:
        result = subprocess.run(command, check=False, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert result.returncode == 2 and result.stderr == "python -m viz: error: cannot print: No space left on device\n"


def test_the_pipe_check_looks_at_the_name_written(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "plot")  # -o plot names a pipe, though plot.svg would be written: refused as it reads
    assert main(["a * b", "--set", "a=2", "b=3", "-o", "plot"]) == 2
    assert "-o plot is a pipe or a device" in capsys.readouterr().err
    os.mkfifo(tmp_path / "x.svg")  # -o x writes x.svg, which is a pipe
    assert main(["a * b", "--set", "a=2", "b=3", "-o", "x"]) == 2
    assert "-o x.svg is a pipe or a device" in capsys.readouterr().err
