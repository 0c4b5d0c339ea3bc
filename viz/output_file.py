"""Where a picture or a page is written: checked before any work, so a wrong name fails at once and says why."""

from __future__ import annotations

from pathlib import Path

WEB_PAGE_SUFFIXES = (".html", ".htm")


def in_existing_folder(path: str | Path) -> Path:
    """``path`` as a ``Path``, once its folder is known to exist (else an error naming the folder)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"no folder {path.parent} to write {path.name} into")
    return path


def web_page_path(path: str | Path) -> Path:
    """``path`` for an HTML page: it must end in ``.html`` (a browser reads a ``.svg`` as a picture, not a page)."""
    if Path(path).suffix.lower() not in WEB_PAGE_SUFFIXES:
        raise ValueError(f"{str(path)!r}: this writes a web page; give a file name ending in .html")
    return in_existing_folder(path)
