"""No module of ours takes a standard library module's name: with the package folder on the path
(`make messages` runs from src/qunfang) it would be imported in the library's place."""

import sys
from pathlib import Path

import qunfang

SOURCE = Path(qunfang.__file__).parent


def test_no_module_shadows_the_standard_library():
    ours = {p.stem for p in SOURCE.glob("*.py")} | {
        p.parent.name for p in SOURCE.glob("*/__init__.py")
    }
    assert ours & set(sys.stdlib_module_names) == set()
