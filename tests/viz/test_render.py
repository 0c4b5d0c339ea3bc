"""``viz.render`` and inline display through both renderers (system ``dot``, graphviz-pure) and with none."""

from __future__ import annotations

import importlib
import struct
import time
from xml.etree import ElementTree

import graphviz
import pytest
from graphviz.backend import viewing

import viz

SVG = "{http://www.w3.org/2000/svg}"


def _svg_texts(path_or_text) -> list[str]:
    root = (
        ElementTree.fromstring(path_or_text)
        if isinstance(path_or_text, str)
        else ElementTree.parse(path_or_text).getroot()
    )
    assert root.tag == SVG + "svg"
    return [element.text for element in root.iter(SVG + "text") if element.text]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _check_example_a_svg(path_or_text) -> str:
    texts = _svg_texts(path_or_text)
    for expected in ("x", "data -2", "grad -4", "q", "data 3", "z", "grad 3", "f", "data -12", "grad 1", "+", "*"):
        assert expected in texts
    assert "local -4" in texts and "local 3" in texts
    return path_or_text if isinstance(path_or_text, str) else path_or_text.read_text()


@pytest.mark.system_dot
def test_svg_and_png_through_the_system_dot(system_dot, example_a, tmp_path):
    example_a["f"].backward()
    written = viz.render(example_a["f"], tmp_path / "graph.svg", show_local_grads=True)
    assert written == tmp_path / "graph.svg"
    svg = _check_example_a_svg(written)
    assert "graphviz-pure" not in svg
    width, height = _png_size(viz.render(example_a["f"], tmp_path / "graph.png").read_bytes())
    assert width > 300 and height > 100


def test_svg_and_png_through_graphviz_pure_when_dot_is_hidden(pure_dot_only, example_a, tmp_path):
    example_a["f"].backward()
    svg = _check_example_a_svg(viz.render(example_a["f"], tmp_path / "graph.svg", show_local_grads=True))
    assert "graphviz-pure" in svg  # its generator comment: this file came from the fallback
    width, height = _png_size(viz.render(example_a["f"], tmp_path / "graph.png").read_bytes())
    assert width > 300 and height > 100


def test_inline_display_uses_the_fallback_renderer_too(pure_dot_only, example_a):
    bundle = viz.draw(example_a["f"])._repr_mimebundle_()
    assert "grad ?" in _svg_texts(bundle["image/svg+xml"])
    _png_size(viz.draw(example_a["f"])._repr_mimebundle_(include=["image/png"])["image/png"])


def test_dot_files_need_no_renderer(no_dot, example_a, tmp_path):
    path = viz.render(example_a["f"], tmp_path / "graph.dot")
    assert path.read_text() == viz.draw(example_a["f"]).source


def test_no_renderer_says_how_to_get_one(no_dot, example_a, tmp_path):
    with pytest.raises(viz.GraphvizNotFoundError) as error:
        viz.render(example_a["f"], tmp_path / "graph.svg")
    message = str(error.value)
    assert "apt-get install graphviz" in message
    assert "pip install 'tracegrad[viz]'" in message
    assert not (tmp_path / "graph.svg").exists()


def test_format_argument_overrides_the_extension_and_bad_formats_are_named(example_a, tmp_path):
    path = viz.render(example_a["f"], tmp_path / "graph.txt", format="dot")
    assert path.read_text().startswith("digraph backprop {")
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.dot"):
        viz.render(example_a["f"], tmp_path / "graph.jpg")


def test_a_finished_drawing_can_be_rendered_but_not_redrawn_with_options(example_a, tmp_path):
    drawing = viz.draw(example_a["f"], rankdir="TB")
    assert viz.render(drawing, tmp_path / "graph.dot").read_text() == drawing.source
    with pytest.raises(TypeError, match="rankdir"):
        viz.render(drawing, tmp_path / "graph.dot", rankdir="LR")


@pytest.mark.system_dot
def test_a_renderer_failure_reports_the_program_message(system_dot, tmp_path, monkeypatch):
    broken = viz.GraphDrawing(body=["\tthis is not dot {{{\n"])
    with pytest.raises(viz.RenderError, match="syntax error"):
        viz.render(broken, tmp_path / "graph.svg")


def _every_way_of_showing(drawing: graphviz.Digraph, folder, monkeypatch) -> str:
    """``pipe``, ``render`` (beside its DOT file, or to an ``outfile``), ``view`` and the Jupyter display; the SVG."""
    assert isinstance(drawing, graphviz.Digraph)
    svg = _check_example_a_svg(drawing.pipe(encoding="utf-8"))
    assert drawing.pipe(format="svg") == svg.encode("utf-8")
    assert _png_size(drawing.pipe(format="png"))[0] > 300

    written = drawing.render(folder / "graph")
    assert written == str(folder / "graph.svg") and (folder / "graph").read_text() == drawing.source
    _check_example_a_svg(folder / "graph.svg")
    assert drawing.render(outfile=folder / "picture.png") == str(folder / "picture.png")
    _png_size((folder / "picture.png").read_bytes())

    opened = []
    opener = f"_view_{viewing.PLATFORM}"  # what graphviz calls to open a file (xdg-open, open, startfile)
    monkeypatch.setattr(type(drawing), opener, staticmethod(lambda path, quiet: opened.append(str(path))))
    viewed = drawing.view(folder / "shown", cleanup=True)
    assert opened == [viewed] == [str(folder / "shown.svg")]
    assert not (folder / "shown").exists()  # cleanup removed the DOT file, the picture stays
    _check_example_a_svg(folder / "shown.svg")

    bundle = drawing._repr_mimebundle_(include=["image/svg+xml", "image/png"])
    _check_example_a_svg(bundle["image/svg+xml"])
    _png_size(bundle["image/png"])
    return svg


def test_every_way_of_showing_a_drawing_works_with_dot_hidden(pure_dot_only, example_a, tmp_path, monkeypatch):
    example_a["f"].backward()
    svg = _every_way_of_showing(viz.draw(example_a["f"], show_local_grads=True), tmp_path, monkeypatch)
    assert "graphviz-pure" in svg


@pytest.mark.system_dot
def test_every_way_of_showing_a_drawing_works_with_the_system_dot(system_dot, example_a, tmp_path, monkeypatch):
    example_a["f"].backward()
    svg = _every_way_of_showing(viz.draw(example_a["f"], show_local_grads=True), tmp_path, monkeypatch)
    assert "graphviz-pure" not in svg


def test_a_drawing_without_any_renderer_says_how_to_get_one(no_dot, example_a, tmp_path):
    drawing = viz.draw(example_a["f"])
    for show in (drawing.pipe, lambda: drawing.render(tmp_path / "graph"), drawing._repr_mimebundle_):
        with pytest.raises(viz.GraphvizNotFoundError, match="pip install 'tracegrad\\[viz\\]'"):
            show()
    assert not (tmp_path / "graph.svg").exists()


def test_a_format_the_renderer_lacks_is_named_in_its_own_words(pure_dot_only, example_a):
    with pytest.raises(viz.RenderError, match='"pdf" not recognized'):
        viz.draw(example_a["f"]).pipe(format="pdf")
    with pytest.raises(ValueError, match="engine"):
        viz.draw(example_a["f"]).pipe(engine="neato")


def test_a_layout_that_takes_too_long_is_stopped_with_advice(slow_dot, example_a, tmp_path):
    started = time.monotonic()
    with viz.render_time_limit(0.5), pytest.raises(viz.RenderTimeout) as error:
        viz.render(example_a["f"], tmp_path / "graph.svg")
    assert time.monotonic() - started < 30  # the program sleeps for 60 s: it was stopped, not waited for
    message = str(error.value)
    assert "within 0.5 s" in message and "fewer nodes" in message and "show_local_grads=False" in message
    assert "level='layers'" in message
    assert not (tmp_path / "graph.svg").exists()


def test_every_layout_has_a_time_limit_even_without_a_budget(slow_dot, example_a, monkeypatch):
    monkeypatch.setattr(viz.dot_program, "RENDER_TIME_LIMIT", 0.5)
    with pytest.raises(viz.RenderTimeout, match="within 0.5 s"):
        viz.draw(example_a["f"]).pipe()


def test_a_time_limit_is_shared_by_every_rendering_in_its_block(example_a, monkeypatch):
    clock = iter([100.0, 100.4, 101.5])  # entering the block, then before each of two renderings
    monkeypatch.setattr(viz.dot_program.time, "monotonic", lambda: next(clock))
    seconds = []
    monkeypatch.setattr(viz.dot_program.subprocess, "run", lambda *a, timeout, **k: seconds.append(timeout) or _Done())
    with viz.render_time_limit(1):
        viz.draw(example_a["f"]).pipe()
        with pytest.raises(viz.RenderTimeout, match="within 1 s"):
            viz.draw(example_a["f"]).pipe()
    assert seconds == [pytest.approx(0.6)]
    with pytest.raises(ValueError, match="> 0"), viz.render_time_limit(0):
        pass


class _Done:
    returncode, stdout, stderr = 0, b"<svg/>", b""


def test_a_layout_program_that_cannot_start_is_a_render_error(monkeypatch, example_a, tmp_path):
    broken = tmp_path / "dot"
    broken.write_text("#!/no/such/interpreter\n")
    broken.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(viz.RenderError, match=f"{broken} could not be started"):
        viz.draw(example_a["f"]).pipe()


def test_a_time_limit_beyond_a_day_is_refused():
    """An infinite budget had overflowed inside selectors.select when rendering."""
    for seconds in (float("inf"), 1e300, True):
        with (
            pytest.raises(ValueError, match="the time limit must be a number of seconds > 0 and at most 86400"),
            viz.render_time_limit(seconds),
        ):
            pass


def test_a_missing_folder_is_named_before_any_rendering(example_a, tmp_path, monkeypatch):
    monkeypatch.setattr(importlib.import_module("viz.render"), "run_dot", None)  # (rendering would fail)
    with pytest.raises(FileNotFoundError, match=r"no folder .*missing to write g.svg into"):
        viz.render(
            example_a["f"], tmp_path / "missing" / "g.svg"
        )  # (a bare FileNotFoundError had come after rendering)
