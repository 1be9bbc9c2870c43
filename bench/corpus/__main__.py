"""``python -m bench.corpus [options]``: the real-world corpus benchmark (bench/corpus/run.py)."""

from __future__ import annotations

import sys

from bench.corpus.run import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
