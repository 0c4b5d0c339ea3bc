"""``GraphDrawing``: the ``graphviz.Digraph`` that ``viz.draw`` returns, turned into pictures by viz's renderer.

A plain ``graphviz.Digraph`` runs the system ``dot`` for every picture and
fails where it is not installed. A ``GraphDrawing`` keeps the same methods
(``.pipe()``, ``.render()``, ``.view()``, the inline display in Jupyter) but
lays out with the program ``viz.find_dot`` chooses: the system ``dot``, else
the ``graphviz-pure`` command, under the same time limit as ``viz.render``.
"""

from __future__ import annotations

import os
from pathlib import Path

import graphviz

from .dot_program import run_dot


def _refuse_options(**options: object) -> None:
    given = [name for name, value in options.items() if value not in (None, "dot")]
    if given:
        raise ValueError(
            f"{', '.join(given)} cannot be chosen for a viz drawing: it is laid out by dot "
            "(or graphviz-pure) with its default renderer; choose the picture with format= only"
        )


class GraphDrawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose every way of becoming a picture uses viz's renderer.

    ``.pipe(format="svg")`` returns the picture, ``.render("graph")`` writes
    ``graph`` (the DOT text) and ``graph.svg`` as ``graphviz`` does,
    ``.view()`` also opens the picture, and Jupyter shows it inline. The
    formats are those of the program found (``svg``, ``png``, ``jpeg``, ``json``
    on both); ``viz.draw`` sets ``svg``. ``.source`` is the DOT text.
    """

    def pipe(
        self,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: bool | int | None = None,
        quiet: bool = False,
        *,
        engine: str | None = None,
        encoding: str | None = None,
    ) -> bytes | str:
        """The picture in ``format`` (default: the drawing's ``format``) as bytes, or as text given ``encoding``."""
        _refuse_options(renderer=renderer, formatter=formatter, neato_no_op=neato_no_op, engine=engine)
        picture = run_dot(self.source, format or self.format)
        return picture if encoding is None else picture.decode(encoding)

    def render(
        self,
        filename: str | os.PathLike | None = None,
        directory: str | os.PathLike | None = None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: bool | int | None = None,
        quiet: bool = False,
        quiet_view: bool = False,
        *,
        outfile: str | os.PathLike | None = None,
        engine: str | None = None,
        raise_if_result_exists: bool = False,
        overwrite_source: bool = False,
    ) -> str:
        """Save the DOT text, write the picture and return its path, as ``graphviz.Digraph.render`` does.

        The DOT text goes to ``directory/filename`` (default ``backprop.gv``) and
        the picture beside it with the format added (``backprop.gv.svg``), or to
        ``outfile``, whose extension then gives the format. ``cleanup`` deletes
        the DOT file afterwards; ``view`` opens the picture in the system's viewer.
        """
        _refuse_options(renderer=renderer, formatter=formatter, neato_no_op=neato_no_op, engine=engine)
        if outfile is not None:
            outfile = Path(outfile)
            format = format or outfile.suffix.lstrip(".").lower() or None
            if filename is None:
                filename = outfile.with_suffix(".gv")
            if directory is None:
                outfile = Path(self.directory, outfile)
        format = format or self.format
        source_path = self.save(filename, directory=directory)
        result = outfile if outfile is not None else Path(f"{source_path}.{format}")
        if not overwrite_source and result.resolve() == Path(source_path).resolve():
            raise ValueError(f"the picture {str(result)!r} would overwrite the DOT file it is made from")
        if raise_if_result_exists and result.exists():
            raise graphviz.FileExistsError(f"output file exists: {str(result)!r}")
        result.write_bytes(run_dot(self.source, format))
        if cleanup:
            os.remove(source_path)
        if view or quiet_view:
            self._view(result, format=format, quiet=quiet_view)
        return os.fspath(result)
