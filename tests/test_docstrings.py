"""Every example in a docstring of ``autograd``, ``nn`` and ``viz`` runs and prints what it shows.

A learner reads the examples first; one that had drifted from the code (a
name never defined, an output changed) would teach something untrue.
"""

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ("autograd", "nn", "viz")


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        path = importlib.import_module(package).__path__
        names += [package] + [info.name for info in pkgutil.walk_packages(path, f"{package}.")]
    return [name for name in names if not name.endswith("__main__")]  # (a command line runs when imported)


@pytest.mark.parametrize("name", _modules())
def test_the_docstring_examples_of_each_module_run_as_shown(name):
    results = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert results.failed == 0, f"{results.failed} of the {results.attempted} examples in {name} failed"


def test_the_examples_are_there_to_run():
    examples = sum(
        len(test.examples)
        for name in _modules()
        for test in doctest.DocTestFinder().find(importlib.import_module(name))
    )
    assert examples >= 27  # the Tensor, Value, Module, DataLoader, fit and trace_torch examples, and the rest
