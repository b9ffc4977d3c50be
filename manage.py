#!/usr/bin/env python
"""Django's command-line utility; `qunfang` is the same entry point once installed."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from qunfang.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
