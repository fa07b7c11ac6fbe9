"""Every docstring example in the package runs and prints what it shows, on each backend."""

import doctest
import importlib
import pkgutil

import pytest

import kerasformers

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(kerasformers.__path__, prefix="kerasformers.")
    if name != "kerasformers.__main__"
)


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
