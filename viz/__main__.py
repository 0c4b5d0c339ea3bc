"""``python -m viz "(x + y) * z" --set x=-2 y=5 z=-4 -o graph.svg``: see ``viz.cli``."""

import sys

from .cli import main

sys.exit(main())
