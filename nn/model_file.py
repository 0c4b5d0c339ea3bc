"""Model files: a state (named arrays) in an ``.npz`` archive, written and read without pickle.

An ``.npz`` file is a zip archive holding one ``.npy`` member per array, and
every ``.npy`` member starts with a small header that states the array's
dtype and shape. Reading is header-first: the member list and every header
are checked against what the model expects before any array data is read,
so a file with an unknown name, a wrong shape, a non-numeric dtype or a
member larger than its header says is refused after reading a few bytes.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numpy.lib import format as npy

EXPECTED = "an .npz archive written by Module.save"
REAL_KINDS = "biuf"
"""The dtype kinds a state may hold: bool, signed and unsigned integers, floats (real numbers only)."""

_HEADER_READERS = {(1, 0): npy.read_array_header_1_0, (2, 0): npy.read_array_header_2_0}
_HEADER_LENGTH_BYTES = {(1, 0): 2, (2, 0): 4}  # how each version writes the length of the header that follows
MAX_HEADER_BYTES = 10_000
"""The longest header read (numpy's own limit): a file declaring a longer one is refused before it is read."""


def save_path(path: str | os.PathLike) -> Path:
    """Where ``save(path)`` writes: ``path`` itself if it ends in ``.npz``, otherwise ``path`` plus ``.npz``."""
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def load_path(path: str | os.PathLike) -> Path:
    """Where ``load(path)`` reads: ``path`` if that file exists, otherwise where ``save(path)`` would have written."""
    path = Path(path)
    return path if path.is_file() else save_path(path)  # (a folder called ``path`` is not the file)


def check_real(name: str, dtype: np.dtype) -> None:
    """Refuse a dtype that does not hold real numbers (complex, strings, bytes, records, objects, dates)."""
    if dtype.kind not in REAL_KINDS:
        objects = " (Python objects, which would need pickle)" if dtype.hasobject else ""
        raise ValueError(f"{name} holds {dtype} values{objects}, not real numbers; a model state holds numbers only")


class LoadResult(NamedTuple):
    """The names a state and a model did not share, as PyTorch's ``load_state_dict`` reports them.

    ``missing_keys``: the model's, not in the state (left as they were);
    ``unexpected_keys``: the state's, not in the model (not used). Both are
    empty after a strict load, which refuses anything else.
    """

    missing_keys: list[str]
    unexpected_keys: list[str]


def compared_names(found: Iterable[str], wanted: Iterable[str], source: str, strict: bool) -> LoadResult:
    """The names ``wanted`` but not ``found``, and those found but not wanted; strict: refuse the state unless none."""
    found, wanted = set(found), set(wanted)
    names = LoadResult(sorted(wanted - found), sorted(found - wanted))
    if strict and (names.missing_keys or names.unexpected_keys):
        parts = [f"{kind} {_listed(keys)}" for kind, keys in zip(("missing", "unexpected"), names) if keys]
        raise KeyError(f"{source} does not fit the model: {'; '.join(parts)} (strict=False loads the names that fit)")
    return names


def _listed(names: list[str], shown: int = 10) -> str:
    """The first ``shown`` names, and how many more: a file of a million names makes no million-name message."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def write_state(path: str | os.PathLike, state: Mapping[str, np.ndarray]) -> Path:
    """Write each array of ``state`` as the member ``<name>.npy`` of a new archive; return the file's path.

    The members are written one by one (never passed as keyword arguments), so
    every name is kept as it is; arrays that are not real numbers are refused
    before the file is opened, so nothing is ever pickled.
    """
    arrays = {name: np.asanyarray(array) for name, array in state.items()}
    for name, array in arrays.items():
        if "\x00" in name:  # a zip member's name ends at a NUL: the file could not be read back
            raise ValueError(f"the name {name!r} holds a NUL character, which a model file cannot keep")
        check_real(name, array.dtype)
    path = save_path(path)
    target = Path(os.path.realpath(path))  # through a symbolic link, to the file it names
    if target.exists() and not target.is_file():
        raise ValueError(f"{path} is not a regular file (a folder, a pipe or a device): no model file is written there")
    if not target.parent.is_dir():
        raise FileNotFoundError(f"no folder {target.parent} to save {path} into")
    if target.exists() and not os.access(target, os.W_OK):
        raise PermissionError(f"{path} is read-only: no model file is written over it")
    if not os.access(target.parent, os.W_OK):  # a file that may be written, in a folder that may not: in place
        _write_archive(target, arrays)
        return path
    # Written beside it under another name, then put in its place in one step: an interrupted save (Ctrl-C, a
    # full disk) leaves the file that was there before, never half of a new one. The file keeps its mode.
    # (So a new file replaces the old one: another hard link to it keeps the old arrays.)
    partial = target.with_name(f".{secrets.token_hex(4)}.partial")
    try:
        _write_archive(partial, arrays)
        if target.exists():
            shutil.copymode(target, partial)
        os.replace(partial, target)
    except PermissionError:  # a folder that refuses the replacement (another user's file in /tmp): in place
        partial.unlink(missing_ok=True)
        _write_archive(target, arrays)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


def _write_archive(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """The archive itself: each array as the member ``<name>.npy``, stored uncompressed."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                npy.write_array(member, array, allow_pickle=False)


def read_state(
    path: str | os.PathLike, shapes: Mapping[str, tuple[int, ...]], strict: bool = True
) -> tuple[dict[str, np.ndarray], LoadResult]:
    """Read the archive at ``path``: the arrays named in ``shapes``, each of that shape, and the names not shared.

    Strict, the archive must hold exactly the names of ``shapes``; otherwise
    the names both have are read. Every member's name, header (shape, dtype)
    and stored size are checked first; only then are the arrays read, each
    into a new array. A member the model does not have is never read.
    """
    path = load_path(path)
    if not path.is_file():
        if path.exists():  # (a FileNotFoundError still: no model file is there)
            raise FileNotFoundError(f"{path} is not a regular file (a folder, a pipe or a device), not a model file")
        raise FileNotFoundError(f"no model file at {path}")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is {_what_it_is(path)}, not a model file: expected {EXPECTED}")
    try:
        with zipfile.ZipFile(path) as archive:
            members = _members_by_name(path, archive)
            names = compared_names(members, shapes, str(path), strict)
            shared = [name for name in shapes if name in members]
            layouts = {name: _checked_layout(archive, members[name], name, shapes[name]) for name in shared}
            arrays = {name: _read_data(archive, members[name], shapes[name], *layouts[name]) for name in shared}
            return arrays, names
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as error:  # (RuntimeError: an encrypted member)
        raise ValueError(f"{path} is a damaged or unusual zip archive ({error}); expected {EXPECTED}") from error


ZIP_START = b"PK\x03\x04"  # how a zip archive's first member begins


def _what_it_is(path: Path) -> str:
    """What a file that is no zip archive is, for the error: a lone array, a cut-short archive, or something else."""
    with open(path, "rb") as file:
        start = file.read(len(npy.MAGIC_PREFIX))
    if start == npy.MAGIC_PREFIX:
        return "a single .npy array"
    if start.startswith(ZIP_START):  # the members begin, the table of them that closes an archive is missing
        return "a damaged or cut-short zip archive"
    return "not a zip archive"


def _members_by_name(path: Path, archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    members: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        if not info.filename.endswith(".npy"):
            raise ValueError(f"{path}: the member {info.filename!r} is not a .npy array; expected {EXPECTED}")
        name = info.filename[: -len(".npy")]
        if name in members:
            raise ValueError(f"{path}: the archive holds {name!r} twice")
        members[name] = info
    return members


def _checked_layout(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, shape: tuple[int, ...]
) -> tuple[np.dtype, bool, int]:
    """The member's dtype, Fortran order and header length, from its header; refused unless all fit the model."""
    with archive.open(info) as member:
        try:
            version = npy.read_magic(member)
            if version not in _HEADER_READERS:
                raise ValueError(f"format version {version} is not one Module.save writes")
            length = member.read(_HEADER_LENGTH_BYTES[version])
            declared = int.from_bytes(length, "little")
            if declared > MAX_HEADER_BYTES:
                raise ValueError(f"it declares a header of {declared} bytes, more than {MAX_HEADER_BYTES}")
            header = io.BytesIO(length + member.read(declared))
            stored_shape, fortran_order, dtype = _HEADER_READERS[version](header)
        except (ValueError, IndexError, TypeError, KeyError) as error:  # numpy's header parser raises any of them
            raise ValueError(f"{name}: not a readable .npy header ({error}); expected {EXPECTED}") from error
        header_size = member.tell()
    check_real(name, dtype)
    if stored_shape != shape:
        raise ValueError(f"{name} has shape {stored_shape} in the file but {shape} in the model")
    data_size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if info.file_size != header_size + data_size:
        raise ValueError(
            f"{name}: the file holds {info.file_size - header_size} bytes of data, but its header "
            f"declares {shape} of {dtype} ({data_size} bytes)"
        )
    return dtype, fortran_order, header_size


def _read_data(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    shape: tuple[int, ...],
    dtype: np.dtype,
    fortran_order: bool,
    header_size: int,
) -> np.ndarray:
    """Read the member's data (its size already checked) straight into a new array."""
    buffer = np.empty(info.file_size - header_size, dtype=np.uint8)
    with archive.open(info) as member:
        member.seek(header_size)
        # ZipFile.open gives a ZipExtFile, which has readinto; the stubs call it IO[bytes], which does not.
        if member.readinto(buffer) != len(buffer):  # type: ignore[attr-defined]
            raise ValueError(f"{info.filename}: the data ends early; expected {EXPECTED}")
    return buffer.view(dtype).reshape(shape, order="F" if fortran_order else "C")
