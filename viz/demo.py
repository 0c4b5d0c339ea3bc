"""The main demo (grows with the project): fit one sigmoid neuron with ``Value``s."""

from __future__ import annotations

import argparse
import random

from autograd import Value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m nn.demo", description=__doc__)
    parser.add_argument("--steps", type=int, default=200, help="gradient steps (default 200)")
    args = parser.parse_args(argv)
    rng = random.Random(0)
    points = [(rng.uniform(-1, 1), rng.uniform(-1, 1)) for _ in range(40)]
    labels = [1.0 if x + y > 0 else 0.0 for x, y in points]
    w0, w1, b = Value(0.0, "w0"), Value(0.0, "w1"), Value(0.0, "b")
    for _ in range(args.steps):
        loss = sum(
            (-(t * (w0 * x + w1 * y + b).sigmoid().log() + (1 - t) * (1 - (w0 * x + w1 * y + b).sigmoid()).log())
             for (x, y), t in zip(points, labels)),
            Value(0.0, requires_grad=False),
        ) / len(points)
        for p in (w0, w1, b):
            p.grad = None
        loss.backward()
        for p in (w0, w1, b):
            p.data -= 1.0 * p.grad
    correct = sum((w0.data * x + w1.data * y + b.data > 0) == (t == 1.0) for (x, y), t in zip(points, labels))
    print(f"loss {loss.data:.4f}, training accuracy {correct / len(points):.0%}")


if __name__ == "__main__":
    main()
