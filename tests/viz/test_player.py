"""``viz.backprop_player``: one self-contained HTML page with a frame per node and working controls."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

import viz
from autograd import topological_order


def test_player_has_one_frame_per_node_and_nothing_external(example_b, tmp_path):
    path = tmp_path / "neuron.html"
    player = viz.backprop_player(example_b["f"], path, number_format=".2f")
    page = path.read_text(encoding="utf-8")
    n_nodes = len(topological_order(example_b["f"]))  # every node that gets a gradient
    assert n_nodes == 13 and len(player) == n_nodes
    assert len(re.findall(r'<div class="frame" data-step="\d+">', page)) == n_nodes
    assert page.count("<svg") == n_nodes
    assert "http" not in page and "src=" not in page and "<link" not in page  # no network at all
    assert f'max="{n_nodes - 1}"' in page and 'type="range"' in page
    assert 'class="previous"' in page and 'class="next"' in page and "keydown" in page
    for number in ("-0.53", "-0.20", "0.20"):
        assert f"= {number}</p>" in page


def test_every_inline_svg_is_well_formed(example_a):
    fragment = viz.backprop_player(example_a["f"])._repr_html_()
    svgs = re.findall(r"<svg.*?</svg>", fragment, flags=re.DOTALL)
    assert len(svgs) == 5
    for svg in svgs:
        root = ElementTree.fromstring(svg)
        assert root.tag == "svg"
        assert "grad 1" in [element.text for element in root.iter("text")]  # f's gradient is in every frame


def test_player_in_a_notebook_is_a_fragment_and_each_gets_its_own_id(example_a):
    player = viz.backprop_player(example_a["f"])
    first, second = player._repr_html_(), player._repr_html_()
    assert "<html" not in first and "<script>" in first
    ids = re.findall(r'id="(tracegrad-player-[^"]+)"', first + second)
    assert len(ids) == 2 and ids[0] != ids[1]


def test_player_of_a_node_without_gradient_is_refused():
    from autograd import Value

    with pytest.raises(ValueError, match="at least one step"):
        viz.backprop_player(Value(1.0, requires_grad=False))
