"""``viz.backprop_player``: one self-contained HTML page, one picture of the graph, the steps as data over it."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest

import viz
from autograd import Value, topological_order
from viz import player as player_module
from viz.graph_drawing import GRAD_COLOR

HOSTILE_LABELS = [
    "</script><script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "]]><!-- & \" ' \u2028 --> </svg><svg onload=alert(3)>",
]


def frames_of(page: str) -> dict:
    """The frame data a page carries (the JSON the player's script reads)."""
    (data,) = re.findall(r'<script type="application/json" class="frames">(.*?)</script>', page, flags=re.DOTALL)
    return json.loads(data)


def picture_of(page: str) -> ElementTree.Element:
    (svg,) = re.findall(r"<svg.*?</svg>", page, flags=re.DOTALL)
    return ElementTree.fromstring(svg)


def groups_by_title(svg: ElementTree.Element) -> dict[str, list[ElementTree.Element]]:
    """The SVG's node and edge groups by their ``<title>``, the DOT name the player's script finds them by."""
    groups: dict[str, list[ElementTree.Element]] = {}
    for group in svg.iter("g"):
        title = group.find("title")
        if group.get("class") in ("node", "edge") and title is not None:
            groups.setdefault(title.text, []).append(group)
    return groups


def test_player_is_one_picture_rendered_once_with_a_frame_per_node(example_b, tmp_path, monkeypatch):
    calls = []
    run_dot = player_module.run_dot
    monkeypatch.setattr(
        player_module, "run_dot", lambda source, format: calls.append(format) or run_dot(source, format)
    )
    path = tmp_path / "neuron.html"
    player = viz.backprop_player(example_b["f"], path, number_format=".2f")
    page = path.read_text(encoding="utf-8")
    n_nodes = len(topological_order(example_b["f"]))  # every node that gets a gradient
    assert calls == ["svg"]  # one layout, one picture, whatever the number of steps
    assert n_nodes == 13 and len(player) == n_nodes and len(frames_of(page)["frames"]) == n_nodes
    assert page.count("<svg") == 1  # every frame shows this one picture: the same layout by construction
    assert "http" not in page and "src=" not in page and "<link" not in page  # no network at all
    assert f'max="{n_nodes - 1}"' in page and 'type="range"' in page
    for control in ("previous", "next", "zoom-in", "zoom-out", "zoom-fit", "follow"):
        assert f'class="{control}"' in page
    texts = [frame["text"] for frame in frames_of(page)["frames"]]
    for number in ("-0.53", "-0.20", "0.20"):
        assert any(text.endswith(f"= {number}") for text in texts)


def test_frames_name_the_parts_of_the_picture_they_emphasise(example_a):
    player = viz.backprop_player(example_a["f"])
    page = player.html()
    frames, svg = frames_of(page), picture_of(page)
    groups = groups_by_title(svg)
    by_text = {frame["text"]: frame for frame in frames["frames"]}
    q_frame = by_text["grad of q = upstream × local = 1 × -4 (from f via *) = -4"]
    # q (v2) is completed from f (v4), made by the * oval (op4), along q -> * and * -> f.
    edges = ["v2->op4e0", "op4e0->op4", "op4->v4"]  # q -> the numbers of that edge -> * -> f
    assert q_frame == {**q_frame, "node": "v2", "consumers": ["v4", "op4"], "edges": edges}
    for frame in frames["frames"]:
        for name in [frame["node"], *frame["consumers"], *frame["edges"]]:
            assert name in groups, f"{name} is not in the picture"
    # Each gradient is written once in the picture, in the gradient colour, and appears at its own step.
    # The shares on the edges into an op appear with the gradient of that op's output (f for *, q for +).
    reveal = {"v4": 0, "v3": 1, "v2": 2, "v1": 3, "v0": 4, "op4e0": 0, "op4e1": 0, "op2e0": 2, "op2e1": 2}
    assert frames["reveal"] == reveal
    assert frames["pending"] == "?"
    expected = {"v0": "grad -4", "v1": "grad -4", "v2": "grad -4", "v3": "grad 3", "v4": "grad 1"}
    expected |= {"op4e0": "share -4", "op4e1": "share 3", "op2e0": "share -4", "op2e1": "share -4"}
    for name, text in expected.items():
        (group,) = groups[name]
        assert [t.text for t in group.iter("text") if t.get("fill") == GRAD_COLOR] == [text]


def test_every_frame_of_the_neuron_adds_up(example_b, written_sum):
    frames = frames_of(viz.backprop_player(example_b["f"]).html())["frames"]
    assert frames[0]["text"] == "f is the output: its gradient with respect to itself is 1."
    for frame in frames[1:]:
        assert written_sum(frame["text"]).adds_up(), frame["text"]


def test_a_cut_down_player_adds_up_and_says_what_it_leaves_out(mlp_loss, written_sum):
    loss, model = mlp_loss(30)
    page = viz.backprop_player(loss, model=model).html()  # the default max_nodes=60 of 2168 nodes
    frames = frames_of(page)["frames"]
    hidden = [written_sum(frame["text"]).hidden for frame in frames[1:] if written_sum(frame["text"]).hidden]
    assert [count for _, count in hidden] == [26, 27]
    assert all(written_sum(frame["text"]).adds_up() for frame in frames[1:])
    caption = " ".join(text.text or "" for text in picture_of(page).iter("text"))
    assert re.search(r"left out: \d+ of 2168 nodes and \d+ of \d+ edges", caption)


def test_the_player_grows_like_the_picture(mlp_loss, tmp_path):
    """The 2-4-4-1 MLP over 3 points: the player is the one picture plus a few bytes per step."""
    loss, model = mlp_loss(3)
    player = viz.backprop_player(loss, tmp_path / "player.html", max_nodes=None, model=model)
    static = viz.render(
        loss, tmp_path / "static.svg", show_local_grads=True, max_nodes=None, model=model, level="weights"
    )
    page_bytes, picture_bytes = (tmp_path / "player.html").stat().st_size, static.stat().st_size
    assert len(player) > 200
    assert page_bytes < 2 * picture_bytes


@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_labels_are_text_never_markup(label):
    x = Value(2.0, label=label)
    y = x * x
    y.label = "y"
    page = viz.backprop_player(y).html()

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.scripts, self.handlers = [], []

        def handle_starttag(self, tag, attrs):
            if tag == "script":
                self.scripts.append(dict(attrs).get("type"))
            self.handlers += [name for name, _ in attrs if name.startswith("on")]

    tags = Tags()
    tags.feed(page)
    assert tags.scripts == ["application/json", None, None]  # the frames, the player's script, the focus
    assert ".focus({preventScroll: true})" in page  # keys work at once, and the page opens at its title
    assert tags.handlers == []
    assert [frame["text"] for frame in frames_of(page)["frames"]][1].startswith(f"grad of {label} = ")
    assert label in [text.text for text in picture_of(page).iter("text")]  # shown as it is, as text


def test_player_in_a_notebook_is_a_fragment_and_each_gets_its_own_id(example_a):
    player = viz.backprop_player(example_a["f"])
    first, second = player._repr_html_(), player._repr_html_()
    assert "<html" not in first and "<script>" in first
    ids = re.findall(r'id="(tracegrad-player-[^"]+)"', first + second)
    assert len(ids) == 2 and ids[0] != ids[1]
    assert f"getElementById({json.dumps(ids[0])})" in first  # the script finds its own player
    assert " data-read-hash>" not in first and " data-read-hash>" in player.html()  # a page opens at #step=5


def test_player_of_a_node_without_gradient_is_refused():
    with pytest.raises(ValueError, match="at least one step"):
        viz.backprop_player(Value(1.0, requires_grad=False))


def test_steps_of_two_backward_passes_are_refused(example_a, example_b):
    steps = viz.backprop_steps(example_a["f"])[:2] + viz.backprop_steps(example_b["f"])[:2]
    with pytest.raises(ValueError, match="one backward pass"):
        viz.BackpropPlayer(steps)


@pytest.mark.parametrize("name", ["player.svg", "player"])
def test_a_player_is_saved_only_as_a_web_page(example_a, tmp_path, monkeypatch, name):
    # An .svg name had got an HTML page, which a browser reads as a broken picture; refused before any rendering.
    monkeypatch.setattr(player_module, "run_dot", None)
    with pytest.raises(ValueError, match="this writes a web page; give a file name ending in .html"):
        viz.backprop_player(example_a["f"], tmp_path / name)
    with pytest.raises(FileNotFoundError, match="no folder"):
        viz.backprop_player(example_a["f"], tmp_path / "missing" / "player.html")
    assert not list(tmp_path.iterdir())
