"""The backprop player against one static drawing of the same graph, in one run on one machine.

The graph: a 2-4-4-1 ``nn.ScalarMLP`` (tanh) with its squared error summed over
a few fixed points, every weight a node. Measured, each the median of several
repeats, with ``max_nodes=None`` so the whole graph is drawn:

- ``viz.backprop_player(loss, "player.html", model=model)``: every step of the
  backward pass, a frame per node, written as one HTML page;
- ``viz.render(loss, "graph.svg", show_local_grads=True, model=model, level="weights")``: the same
  picture once, as an SVG file.

Both use the same renderer (the system ``dot`` if installed, else ``graphviz-pure``)
and the same DOT text (``check_same_picture``), so the ratio is what the frames
cost on top of the one picture: seconds and bytes written.

Target: the player costs a few times the static SVG, for a graph of ~245
nodes (before: 79-166 s and 114-120 MB against 0.2-0.3 s and 0.42 MB).
"""

from __future__ import annotations

import math
import statistics
import tempfile
from pathlib import Path

import nn
import viz
from autograd import Node
from benchmarks import machine_summary, markdown_table, seconds
from viz.graph_walk import forward_order

POINTS = (3, 9)  # about 250 and 700 nodes
REPEATS = {3: 5, 9: 3}


def mlp_loss(n_points: int) -> tuple[Node, nn.ScalarMLP]:
    """The 2-4-4-1 MLP's squared error over ``n_points`` fixed points, with its gradients computed."""
    model = nn.ScalarMLP([2, 4, 4, 1], seed=0)
    points = [((math.cos(i), math.sin(2 * i)), 1.0 if i % 2 else -1.0) for i in range(n_points)]
    loss = sum((model(list(x)) - target) ** 2 for x, target in points)
    loss.backward()
    return loss, model


def check_same_picture(n_points: int) -> None:
    """The player's one picture is the static drawing of the same graph: the same DOT text, so the same layout work."""
    loss, model = mlp_loss(n_points)
    player = viz.backprop_player(loss, max_nodes=None, model=model)
    static = viz.draw(loss, show_local_grads=True, max_nodes=None, model=model, level="weights")
    assert player.canvas.paint().source == static.source, "the player draws a different picture from viz.draw"


def measure(n_points: int, folder: Path) -> dict[str, float]:
    """Median seconds and the bytes written, of the player and of the static SVG."""
    loss, model = mlp_loss(n_points)
    player_path, static_path = folder / "player.html", folder / "graph.svg"
    player_times, static_times = [], []
    for _ in range(REPEATS[n_points]):
        player_times.append(seconds(lambda: viz.backprop_player(loss, player_path, max_nodes=None, model=model)))
        static_times.append(
            seconds(
                lambda: viz.render(
                    loss, static_path, show_local_grads=True, max_nodes=None, model=model, level="weights"
                )
            )
        )
    return {
        "nodes": len(forward_order(loss)),
        "player s": statistics.median(player_times),
        "static s": statistics.median(static_times),
        "player bytes": player_path.stat().st_size,
        "static bytes": static_path.stat().st_size,
    }


def main() -> None:
    for n_points in POINTS:
        check_same_picture(n_points)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for n_points in POINTS:
            result = measure(n_points, Path(folder))
            rows.append(
                [
                    f"{result['nodes']} nodes ({n_points} points)",
                    f"{result['player s']:.2f}",
                    f"{result['static s']:.2f}",
                    f"{result['player s'] / result['static s']:.2f}x",
                    f"{result['player bytes'] / 1e6:.2f}",
                    f"{result['static bytes'] / 1e6:.2f}",
                    f"{result['player bytes'] / result['static bytes']:.2f}x",
                ]
            )
    header = ["2-4-4-1 ScalarMLP loss", "player (s)", "static SVG (s)", "time ratio", "player (MB)", "SVG (MB)", "size"]
    print(markdown_table(header, rows))
    program = viz.find_dot()
    print(
        f"\nMedians of {', '.join(str(REPEATS[n]) for n in POINTS)} runs; every node drawn (max_nodes=None), "
        f"local gradients on the edges, rendered with {program.kind if program else 'no renderer'}.\n"
        f"{machine_summary()}.\n"
        "Target: the player costs a few times the static SVG (before: 79-166 s and 114-120 MB for ~245 nodes)."
    )


if __name__ == "__main__":
    main()
