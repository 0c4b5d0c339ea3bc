"""The progress shown while training: a live bar on a terminal, one line at the end anywhere else.

A bar that redraws itself is made for a terminal. Written to a file, a pipe or a
log, every redraw stays behind (tens of kilobytes for a short run), so there the
progress is one line once training ends. Both count the epochs that really ran:
``7/50`` when early stopping ends training after seven.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from tqdm import tqdm


class EpochProgress:
    """Progress over the epochs of one training run: ``epoch_done(numbers)`` after each, ``close()`` at the end.

    ``show``: True always (live on a terminal, a closing line elsewhere), False
    never, None only on a terminal. It writes to the error stream, as tqdm does.
    """

    def __init__(self, epochs: int, show: bool | None):
        self.stream = sys.stderr
        on_terminal = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.epochs = epochs
        self.finished = 0
        self.numbers: dict[str, str] = {}
        self.closing_line = bool(show) and not on_terminal
        self.started = time.monotonic()
        live = on_terminal and show is not False
        self.bar = tqdm(total=epochs, desc="training", unit="epoch", file=self.stream, disable=not live)

    def epoch_done(self, numbers: Mapping[str, float]) -> None:
        """One more epoch has run, with these losses and metrics (the learning rate is left out)."""
        self.finished += 1
        self.numbers = {name: f"{value:.4g}" for name, value in numbers.items() if name != "lr"}
        self.bar.update(1)
        self.bar.set_postfix(self.numbers)

    def close(self) -> None:
        """End the bar, or write the closing line: epochs run out of those asked, time, last numbers."""
        self.bar.close()
        if self.closing_line:
            stopped = " (stopped early)" if self.finished < self.epochs else ""
            numbers = "".join(f", {name}={value}" for name, value in self.numbers.items())
            seconds = time.monotonic() - self.started
            print(
                f"training: {self.finished}/{self.epochs} epochs{stopped} in {seconds:.1f} s{numbers}", file=self.stream
            )


@contextmanager
def epoch_progress(epochs: int, show: bool | None) -> Iterator[EpochProgress]:
    """An ``EpochProgress`` closed when the block ends; a run ended by an error closes the bar without the closing line."""
    progress = EpochProgress(epochs, show)
    try:
        yield progress
    except BaseException:
        progress.bar.close()
        raise
    progress.close()
