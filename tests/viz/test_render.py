"""``viz.render`` and inline display through both renderers (system ``dot``, graphviz-pure) and with none."""

from __future__ import annotations

import struct
from xml.etree import ElementTree

import pytest

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


def _check_example_a_svg(path) -> str:
    texts = _svg_texts(path)
    for expected in ("x", "data -2", "grad -4", "q", "data 3", "z", "grad 3", "f", "data -12", "grad 1", "+", "*"):
        assert expected in texts
    assert "local -4" in texts and "local 3" in texts
    return path.read_text()


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


def test_a_renderer_failure_reports_the_program_message(system_dot, tmp_path, monkeypatch):
    broken = viz.GraphDrawing(body=["\tthis is not dot {{{\n"])
    with pytest.raises(viz.RenderError, match="syntax error"):
        viz.render(broken, tmp_path / "graph.svg")
