"""The main demo, ``python -m viz.demo``: run end to end in a temporary folder, and its parts checked with numbers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from autograd import Tensor
from nn import MLP
from viz import demo
from viz.demo import main, neuron_on_example, run

REPO = Path(__file__).resolve().parents[1]
# The demo runs from another folder, with this checkout's packages (not whichever copy is installed).
DEMO_ENVIRONMENT = {**os.environ, "PYTHONPATH": str(REPO)}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OUTPUT_FILES = ("neuron_graph.svg", "backprop_player.html", "decision_boundary.png", "loss_curve.png", "training.html")
# A neuron with two inputs records 8 nodes that need a gradient: w0, w1, b, w0*x0, b + w0*x0, w1*x1, the sum, tanh.
NEURON_NODES_WITH_GRADIENT = 8


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    """The demo as a user runs it: a new interpreter, ``python -m viz.demo``, a few epochs, a fresh folder."""
    out = tmp_path_factory.mktemp("demo") / "output"
    result = subprocess.run(
        [sys.executable, "-m", "viz.demo", "--epochs", "20", "--seed", "1", "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path_factory.mktemp("cwd"),
        env=DEMO_ENVIRONMENT,
    )
    return result, out


def test_demo_exits_cleanly_and_says_where_the_files_are(demo_run: tuple[subprocess.CompletedProcess, Path]) -> None:
    result, out = demo_run
    assert result.returncode == 0, result.stderr
    assert str(out.resolve()) in result.stdout
    for name in OUTPUT_FILES:
        assert name in result.stdout
    assert "accuracy" in result.stdout
    assert "training:" not in result.stderr  # --quiet hides the progress bar


def test_demo_writes_exactly_the_five_files(demo_run: tuple[subprocess.CompletedProcess, Path]) -> None:
    _, out = demo_run
    assert sorted(path.name for path in out.iterdir()) == sorted(OUTPUT_FILES)


def test_neuron_graph_is_an_svg_of_the_neuron(demo_run: tuple[subprocess.CompletedProcess, Path]) -> None:
    _, out = demo_run
    root = ET.parse(out / "neuron_graph.svg").getroot()
    assert root.tag.endswith("svg")
    text = " ".join(element.text or "" for element in root.iter())
    for name in ("weights.0", "weights.1", "bias", "x0", "x1", "tanh", "grad 1"):
        assert name in text


@pytest.mark.parametrize("name", ["decision_boundary.png", "loss_curve.png"])
def test_plots_are_pngs_that_open(demo_run: tuple[subprocess.CompletedProcess, Path], name: str) -> None:
    image_module = pytest.importorskip("matplotlib.image")
    _, out = demo_run
    assert (out / name).read_bytes()[:8] == PNG_SIGNATURE
    pixels = image_module.imread(out / name)
    assert pixels.ndim == 3 and pixels.shape[0] > 200 and pixels.shape[1] > 200
    assert pixels[..., :3].std() > 0.05  # a picture, not a blank canvas


def test_player_has_one_frame_per_node_with_a_gradient(demo_run: tuple[subprocess.CompletedProcess, Path]) -> None:
    _, out = demo_run
    page = (out / "backprop_player.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count('"text": "') == NEURON_NODES_WITH_GRADIENT  # a step per node, as data
    assert page.count("<svg") == 1  # over one picture
    assert "upstream × local" in page


def test_training_page_records_the_run_every_few_steps(demo_run: tuple[subprocess.CompletedProcess, Path]) -> None:
    """20 epochs of 9 batches are 180 steps; a frame every 180 // 60 = 3 steps, and one before training."""
    _, out = demo_run
    page = (out / "training.html").read_text(encoding="utf-8")
    (frames,) = re.findall(r'<script type="application/json" class="frames">(.*?)</script>', page, flags=re.DOTALL)
    frames = json.loads(frames)["frames"]
    assert len(frames) == 1 + 180 // 3
    assert frames[0]["when"] == "step 0 \u00b7 before training"
    assert frames[-1]["when"].startswith("step 180 \u00b7 epoch 20 \u00b7 loss at this step ")
    assert page.count("<svg") == 1 and len(page.encode("utf-8")) < 1_000_000
    assert sorted(frames[-1]["boxes"])[:3] == ["g0", "g1", "g2"] and len(frames[-1]["boxes"]) == 4  # layers, loss


def test_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    shown = capsys.readouterr().out
    for option in ("--epochs", "--seed", "--out", "--quiet"):
        assert option in shown


def test_bad_epochs_is_refused_with_a_clear_message(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--epochs", "0", "--out", str(tmp_path / "never")])
    assert exit_info.value.code == 2
    assert "--epochs must be from 1 to 100000" in capsys.readouterr().err
    assert not (tmp_path / "never").exists()


def test_demo_learns_the_spirals(tmp_path: Path) -> None:
    result = run(epochs=150, seed=0, out=tmp_path, progress=False)
    assert result.train_accuracy > 0.9 and result.test_accuracy > 0.9
    assert set(result.files) == {"graph", "player", "boundary", "loss", "training"}
    assert all(path.exists() for path in result.files.values())


def test_neuron_is_the_first_hidden_unit_of_the_network() -> None:
    """The drawn neuron computes tanh(x . W[:, 0] + b[0]) and its gradients d(h)/d(w_i) = (1 - h^2) x_i."""
    model = MLP([2, 32, 32, 3], activation="tanh", seed=3)
    model.layers[0].bias.data[:] = np.linspace(-0.5, 0.5, 32)
    x = np.array([0.3, -0.7])
    neuron, output = neuron_on_example(model, x)
    expected = np.tanh(x @ model.layers[0].weight.data[:, 0] + model.layers[0].bias.data[0])
    assert abs(output.data - expected) < 1e-12
    hidden = model.layers[1](model.layers[0](Tensor(x[None, :]))).data[0, 0]
    assert abs(output.data - hidden) < 1e-12
    for weight, xi in zip(neuron.weights, x):
        assert abs(weight.grad - (1 - expected**2) * xi) < 1e-12
    assert abs(neuron.bias.grad - (1 - expected**2)) < 1e-12


def test_piped_output_is_short_and_counts_the_epochs(tmp_path: Path) -> None:
    """Not at a terminal, the progress is one closing line instead of a redraw per epoch (35 KB before)."""
    result = subprocess.run(
        [sys.executable, "-m", "viz.demo", "--epochs", "12", "--out", str(tmp_path / "output")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
        env=DEMO_ENVIRONMENT,
    )
    assert result.returncode == 0, result.stderr
    assert len((result.stdout + result.stderr).encode("utf-8")) < 4096
    assert "\r" not in result.stderr
    assert result.stderr.startswith("training: 12/12 epochs in ")


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--epochs", "-1"], "--epochs must be from 1 to 100000 (about 300 a second), got -1"),
        (["--epochs", "99999999999999999999"], "--epochs must be from 1 to 100000"),
        (["--epochs", "x"], "argument --epochs: invalid int value: 'x'"),
        (["--seed", "x"], "argument --seed: invalid int value: 'x'"),
        (["--seed", "-1"], "--seed must be 0 or more, got -1"),
    ],
)
def test_bad_options_are_refused_with_a_clear_message(
    arguments: list[str], words: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*arguments, "--out", str(tmp_path / "never")])
    assert exit_info.value.code == 2
    assert words in capsys.readouterr().err
    assert not (tmp_path / "never").exists()


def test_an_output_folder_that_cannot_be_used_is_refused_before_training(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep me")
    (tmp_path / "taken" / "loss_curve.png").mkdir(parents=True)
    refused = {
        a_file: f"--out {a_file} is a file, not a folder",
        a_file / "output": f"--out {a_file / 'output'}: {a_file} is a file, not a folder",
        tmp_path / "taken": f"{tmp_path / 'taken' / 'loss_curve.png'} is a folder, where the demo writes a file",
    }
    for out, words in refused.items():
        with pytest.raises(SystemExit) as exit_info:
            main(["--out", str(out)])
        assert exit_info.value.code == 2
        captured = capsys.readouterr()
        assert words in captured.err and "training" not in captured.out + captured.err
    assert a_file.read_text() == "keep me"


def test_a_folder_without_write_permission_is_refused_before_training(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(demo.os, "access", lambda path, mode: False)  # as for a user without the permission
    with pytest.raises(SystemExit) as exit_info:
        main(["--out", str(tmp_path / "new")])
    assert exit_info.value.code == 2
    assert f"--out {tmp_path / 'new'}: {tmp_path} is not writable" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_a_file_that_cannot_be_written_ends_with_a_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def refuse(*args: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / "neuron_graph.svg"))

    monkeypatch.setattr(demo, "write_outputs", refuse)
    with pytest.raises(SystemExit) as exit_info:
        main(["--epochs", "1", "--quiet", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert f"cannot write {tmp_path / 'neuron_graph.svg'}: Permission denied" in capsys.readouterr().err


def test_ctrl_c_stops_the_demo_with_a_line_not_a_traceback(monkeypatch, capsys, tmp_path) -> None:
    import viz.demo

    def interrupted(*arguments, **options):
        raise KeyboardInterrupt

    monkeypatch.setattr(viz.demo, "run", interrupted)
    with pytest.raises(SystemExit) as stopped:
        viz.demo.main(["--out", str(tmp_path / "out"), "--quiet"])
    assert stopped.value.code == 130
    assert "stopped (Ctrl-C)" in capsys.readouterr().err


def test_a_closed_pipe_ends_the_demo_quietly_and_a_full_disk_with_one_line(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "viz.demo", "--epochs", "1", "--out", str(tmp_path / "out")]
    reader = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader.stdout.close()  # as `| head` does before the demo prints
    errors = reader.stderr.read()
    assert reader.wait(timeout=300) == 1 and "Traceback" not in errors
    with open("/dev/full", "w") as full:
        result = subprocess.run(command, check=False, stdout=full, stderr=subprocess.PIPE, text=True, timeout=300)
    assert result.returncode == 2 and "error: cannot print: No space left on device" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_folder_that_cannot_be_made_fails_before_the_training(monkeypatch, capsys, tmp_path) -> None:
    # A folder the system refuses (/proc/x as root passes the writable check): the demo had trained first.
    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(demo.Path, "mkdir", refuse)
    monkeypatch.setattr(demo, "fit", lambda *args, **kwargs: pytest.fail("trained before the folder was made"))
    with pytest.raises(SystemExit) as exit_info:
        main(["--epochs", "1", "--quiet", "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    assert f"cannot write {tmp_path / 'out'}: Permission denied" in capsys.readouterr().err
