"""Model files: any name round-trips, ``.npz`` is found, headers come before data, a refusal changes nothing."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

import nn
from autograd import Tensor

EXPECTED = "an .npz archive written by Module.save"


class OddNames(nn.Module):
    """Parameters named like numpy's own keyword arguments."""

    def __init__(self, seed):
        rng = np.random.default_rng(seed)
        self.allow_pickle = Tensor(rng.standard_normal(3), requires_grad=True)
        self.file = Tensor(rng.standard_normal((2, 2)), requires_grad=True)
        self.compress = Tensor(rng.standard_normal(1), requires_grad=True)


def _same_state(model, state):
    current = model.state_dict()
    assert current.keys() == state.keys()
    for name, array in state.items():
        np.testing.assert_array_equal(current[name], array, err_msg=name)


def _npy_bytes(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array)
    return buffer.getvalue()


def _archive(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_any_parameter_name_round_trips(tmp_path):
    model, copy = OddNames(seed=0), OddNames(seed=1)
    model.save(tmp_path / "odd.npz")
    copy.load(tmp_path / "odd.npz")
    _same_state(copy, model.state_dict())


def test_save_adds_npz_and_load_finds_it(tmp_path):
    model, copy = nn.MLP([3, 4, 2], seed=0), nn.MLP([3, 4, 2], seed=1)
    model.save(tmp_path / "m")
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]
    copy.load(tmp_path / "m")
    _same_state(copy, model.state_dict())
    copy.load(str(tmp_path / "m.npz"))
    _same_state(copy, model.state_dict())


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no model file at .*nothing\.npz"):
        nn.Linear(2, 2).load(tmp_path / "nothing")


def _cut_short(path):
    """A real model file with its last third gone, as an interrupted copy leaves it."""
    nn.Linear(3, 1, seed=0).save(path)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) * 2 // 3])


@pytest.mark.parametrize(
    ("write", "what"),
    [
        (lambda path: np.save(path, np.ones(3)), "a single .npy array"),
        (lambda path: path.write_text("weight = 1.0\n"), "not a zip archive"),
        (lambda path: path.write_bytes(b"PK\x03\x04 not really a zip"), "a damaged or cut-short zip archive"),
        (_cut_short, "a damaged or cut-short zip archive"),  # (it had said "not a zip archive")
    ],
    ids=["npy", "text", "broken-zip", "cut-short"],
)
def test_other_formats_are_refused_naming_the_expected_one(tmp_path, write, what):
    path = tmp_path / "model.npz"
    write(path)
    if not path.exists():  # np.save adds its own suffix
        (tmp_path / "model.npz.npy").rename(path)
    with pytest.raises(ValueError, match=f"is {what}, not a model file: expected {EXPECTED}"):
        nn.Linear(3, 1).load(path)


def test_a_member_that_is_not_an_array_is_refused(tmp_path):
    path = _archive(tmp_path / "m.npz", {"weight.npy": _npy_bytes(np.ones((3, 1))), "bias.txt": b"0"})
    with pytest.raises(ValueError, match=f"the member 'bias.txt' is not a .npy array; expected {EXPECTED}"):
        nn.Linear(3, 1).load(path)


@pytest.mark.parametrize(
    "bad",
    [
        np.array(["a", "b"]),
        np.array([1 + 2j, 3 + 0j]),
        np.array([b"x", b"y"]),
        np.zeros(2, dtype=[("x", "f8")]),
        np.array(["2020-01-01", "2021-01-01"], dtype="datetime64[D]"),
    ],
    ids=["str", "complex", "bytes", "record", "datetime"],
)
def test_a_refused_load_changes_nothing_even_when_the_last_entry_is_bad(tmp_path, bad):
    model = nn.Sequential(nn.Linear(2, 2, seed=0), nn.BatchNorm1d(2))
    before = model.state_dict()
    state = nn.Sequential(nn.Linear(2, 2, seed=1), nn.BatchNorm1d(2)).state_dict()
    last = list(state)[-1]
    assert last == "layers.1.running_var"
    state[last] = bad
    np.savez(tmp_path / "bad.npz", **state)
    with pytest.raises(ValueError, match=f"{last} holds .* not real numbers"):
        model.load(tmp_path / "bad.npz")
    _same_state(model, before)
    with pytest.raises(ValueError, match=f"{last} holds .* not real numbers"):
        model.load_state_dict(state)
    _same_state(model, before)


def test_saving_refuses_objects_instead_of_pickling_them(tmp_path):
    model = nn.Linear(1, 1)
    model.weight.data = np.array([[object()]], dtype=object)
    with pytest.raises(ValueError, match="weight holds object values .Python objects, which would need pickle"):
        model.save(tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


def test_a_member_the_model_does_not_have_is_never_read(tmp_path, monkeypatch):
    state = nn.Linear(3, 1, seed=0).state_dict()
    members = {f"{name}.npy": _npy_bytes(array) for name, array in state.items()}
    members["extra.npy"] = _npy_bytes(np.zeros(1_000_000))
    path = _archive(tmp_path / "m.npz", members, zipfile.ZIP_DEFLATED)
    opened, real_open = [], zipfile.ZipFile.open

    def recording_open(archive, member, *args, **kwargs):
        opened.append(getattr(member, "filename", member))
        return real_open(archive, member, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    with pytest.raises(KeyError, match="unexpected extra"):
        nn.Linear(3, 1).load(path)
    assert opened == []


def test_a_member_larger_than_its_header_declares_is_refused(tmp_path):
    model = nn.Linear(3, 1, seed=0)
    before = model.state_dict()
    members = {f"{name}.npy": _npy_bytes(array) for name, array in nn.Linear(3, 1, seed=1).state_dict().items()}
    members["bias.npy"] += bytes(8 * 1000)
    path = _archive(tmp_path / "m.npz", members)
    declared = r"bias: the file holds 8008 bytes of data, but its header declares \(1,\) of float64"
    with pytest.raises(ValueError, match=declared):
        model.load(path)
    _same_state(model, before)


def test_a_member_shorter_than_its_header_declares_is_refused(tmp_path):
    members = {f"{name}.npy": _npy_bytes(array) for name, array in nn.Linear(3, 1, seed=1).state_dict().items()}
    members["weight.npy"] = members["weight.npy"][:-8]
    with pytest.raises(ValueError, match=r"weight: the file holds 16 bytes of data, but its header declares \(3, 1\)"):
        nn.Linear(3, 1).load(_archive(tmp_path / "m.npz", members))


def test_a_garbled_header_is_refused(tmp_path):
    members = {f"{name}.npy": _npy_bytes(array) for name, array in nn.Linear(3, 1, seed=1).state_dict().items()}
    members["weight.npy"] = b"\x93NUMPY\x01\x00" + members["weight.npy"][8:].replace(b"descr", b"dtype")
    with pytest.raises(ValueError, match=f"weight: not a readable .npy header .*expected {EXPECTED}"):
        nn.Linear(3, 1).load(_archive(tmp_path / "m.npz", members))


def test_a_header_declared_longer_than_numpy_allows_is_refused_before_it_is_read(tmp_path, monkeypatch):
    members = {f"{name}.npy": _npy_bytes(array) for name, array in nn.Linear(3, 1, seed=1).state_dict().items()}
    declared = 600 * 2**20  # a few hundred KB compressed, 600 MB once read
    members["weight.npy"] = b"\x93NUMPY\x02\x00" + declared.to_bytes(4, "little") + b" " * 2**16
    path = _archive(tmp_path / "m.npz", members, compression=zipfile.ZIP_DEFLATED)
    read_sizes = []
    real_read = zipfile.ZipExtFile.read
    monkeypatch.setattr(zipfile.ZipExtFile, "read", lambda self, n=-1: read_sizes.append(n) or real_read(self, n))
    with pytest.raises(ValueError, match=f"weight: .*declares a header of {declared} bytes, more than 10000"):
        nn.Linear(3, 1).load(path)
    assert max(read_sizes) < 2**16  # the declared header was never asked for


def test_a_folder_named_like_the_model_does_not_hide_its_file(tmp_path):
    model = nn.Linear(2, 1, seed=0)
    model.save(tmp_path / "digits")
    (tmp_path / "digits").mkdir()
    other = nn.Linear(2, 1, seed=1)
    other.load(tmp_path / "digits")
    _same_state(other, model.state_dict())


def test_other_layouts_and_dtypes_of_real_numbers_load_into_the_model_dtype(tmp_path):
    weight = np.asfortranarray(np.arange(6.0).reshape(3, 2)).astype(">f4")
    np.savez(tmp_path / "m.npz", weight=weight, bias=np.array([7, -8], dtype=np.int16))
    model = nn.Linear(3, 2, seed=0)
    model.load(tmp_path / "m.npz")
    assert model.weight.dtype == np.float64 and model.bias.dtype == np.float64
    assert model.weight.data.tolist() == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    assert model.bias.data.tolist() == [7.0, -8.0]


def test_strict_false_loads_the_names_that_fit_and_reports_the_others_as_torch_does(tmp_path):
    """A file saved before a model gained a layer (or before frozen parameters were saved) still loads what fits."""
    torch = pytest.importorskip("torch")

    small = nn.Sequential(nn.Linear(3, 4, seed=1), nn.Tanh())
    grown = nn.Sequential(nn.Linear(3, 4, seed=2), nn.Tanh(), nn.Linear(4, 2, seed=3))
    small.save(tmp_path / "small")
    with pytest.raises(KeyError, match=r"missing layers.2.bias, layers.2.weight \(strict=False loads the names"):
        grown.load(tmp_path / "small")
    head = grown.layers[2].weight.data.copy()
    with_extra = {**small.state_dict(), "head.scale": np.ones(2)}
    loads = {
        "file": (lambda: grown.load(tmp_path / "small", strict=False), small.state_dict()),
        "state": (lambda: grown.load_state_dict(with_extra, strict=False), with_extra),
    }
    for load, state in loads.values():
        names = load()
        np.testing.assert_array_equal(grown.layers[0].weight.data, small.layers[0].weight.data)
        np.testing.assert_array_equal(grown.layers[2].weight.data, head)  # left as it was
        # torch on the same state (its weights are stored transposed): the same names left out
        torch_model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
        torch_state = {
            name.removeprefix("layers."): torch.tensor(array.T if name.endswith("weight") else array)
            for name, array in state.items()
        }
        theirs = torch_model.load_state_dict(torch_state, strict=False)
        assert [name.removeprefix("layers.") for name in names.missing_keys] == sorted(theirs.missing_keys)
        assert names.unexpected_keys == sorted(theirs.unexpected_keys)
    assert theirs.unexpected_keys == ["head.scale"]
    assert grown.load_state_dict(grown.state_dict()) == ([], [])  # strict: nothing left out


def test_strict_false_still_refuses_a_wrong_shape_and_changes_nothing(tmp_path):
    model = nn.Linear(3, 2, seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"weight has shape \(2, 3\) in the state but \(3, 2\)"):
        model.load_state_dict({"weight": np.zeros((2, 3)), "bias": np.ones(2)}, strict=False)
    _same_state(model, before)
    np.savez(tmp_path / "wrong.npz", weight=np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"weight has shape \(2, 3\) in the file but \(3, 2\)"):
        model.load(tmp_path / "wrong.npz", strict=False)
    _same_state(model, before)


def test_a_header_whose_dtype_is_a_tuple_is_refused_naming_the_member(tmp_path):
    members = {f"{name}.npy": _npy_bytes(array) for name, array in nn.Linear(3, 1, seed=1).state_dict().items()}
    members["weight.npy"] = members["weight.npy"].replace(b"'descr': '<f8'", b"'descr': ('<f8',)")
    with pytest.raises(ValueError, match=f"weight: not a readable .npy header .*expected {EXPECTED}"):
        nn.Linear(3, 1).load(_archive(tmp_path / "m.npz", members))


def test_an_encrypted_member_is_refused_as_a_damaged_archive(tmp_path):
    nn.Linear(3, 1, seed=1).save(tmp_path / "m.npz")
    path = tmp_path / "m.npz"
    data = bytearray(path.read_bytes())
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local and central headers
        start = data.find(signature)
        while start != -1:
            data[start + flag_offset] |= 1  # the "encrypted" bit
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="is a damaged or unusual zip archive .*encrypted"):
        nn.Linear(3, 1).load(path)


def test_a_folder_or_a_pipe_at_the_path_is_named_as_such(tmp_path):
    (tmp_path / "m.npz").mkdir()
    with pytest.raises(FileNotFoundError, match="is not a regular file"):
        nn.Linear(3, 1).load(tmp_path / "m.npz")


def test_a_name_with_a_nul_is_refused_when_saving(tmp_path):
    class Nul(nn.Module):
        def __init__(self):
            self.d = {"a\x00b": nn.Linear(1, 1, seed=0)}

    with pytest.raises(ValueError, match="holds a NUL character"):
        Nul().save(tmp_path / "m")
    assert not (tmp_path / "m.npz").exists()


def test_bad_arguments_to_loading_are_named():
    model = nn.Linear(2, 1, seed=0)
    for bad in ([np.ones((2, 1)), np.zeros(1)], None, {0: np.ones((2, 1))}):
        with pytest.raises(TypeError, match="load_state_dict takes a dict of arrays by dotted name"):
            model.load_state_dict(bad)
    with pytest.raises(TypeError, match="strict must be True or False"):
        model.load_state_dict(model.state_dict(), strict=None)


def test_a_strict_refusal_lists_ten_names_and_counts_the_rest(tmp_path):
    state = {f"extra{i}": np.zeros(1) for i in range(1000)}
    with pytest.raises(KeyError, match=r"unexpected extra0, extra1, .* and 990 more \(strict=False"):
        nn.Linear(2, 1, seed=0).load_state_dict({**nn.Linear(2, 1, seed=0).state_dict(), **state})


def test_an_interrupted_save_leaves_the_file_that_was_there(tmp_path, monkeypatch):
    """A save stopped half-way had left half an archive in place of the good file."""
    from nn import model_file

    model = nn.MLP([2, 8, 3], seed=0)
    path = tmp_path / "model.npz"
    model.save(path)
    before = path.read_bytes()
    written = []

    def interrupted(member, array, allow_pickle):
        if written:
            raise KeyboardInterrupt
        written.append(array)
        npy_write(member, array, allow_pickle=allow_pickle)

    npy_write = model_file.npy.write_array
    monkeypatch.setattr(model_file.npy, "write_array", interrupted)
    with pytest.raises(KeyboardInterrupt):
        nn.MLP([2, 8, 3], seed=1).save(path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]
    monkeypatch.undo()
    nn.MLP([2, 8, 3], seed=0).load(path)  # still a whole model file


def test_a_save_through_a_link_writes_the_file_it_names_with_the_usual_permissions(tmp_path):
    target, link = tmp_path / "real.npz", tmp_path / "link.npz"
    target.write_bytes(b"old")
    link.symlink_to(target)
    nn.MLP([2, 3, 1], seed=0).save(link)
    assert link.is_symlink() and zipfile.is_zipfile(target)
    (tmp_path / "plain").write_bytes(b"")  # a file made as open() makes one, under this process's umask
    assert target.stat().st_mode == (tmp_path / "plain").stat().st_mode
    (tmp_path / "folder.npz").mkdir()
    with pytest.raises(ValueError, match="folder.npz is not a regular file"):
        nn.MLP([2, 3, 1], seed=0).save(tmp_path / "folder.npz")
    target.chmod(0o600)  # a file kept private stays private
    nn.MLP([2, 3, 1], seed=1).save(link)
    assert target.stat().st_mode & 0o777 == 0o600
    long_name = tmp_path / ("m" * 250 + ".npz")  # (the name beside it while writing is short)
    nn.MLP([2, 3, 1], seed=0).save(long_name)
    assert zipfile.is_zipfile(long_name)
    with pytest.raises(FileNotFoundError, match=r"no folder .*missing to save .*missing/model.npz into"):
        nn.MLP([2, 3, 1], seed=0).save(tmp_path / "missing" / "model.npz")
