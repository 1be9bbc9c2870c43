"""``python -m bench rsk [--k K] [--symmetry-only]``."""

from __future__ import annotations

import sys

BENCHMARKS = ("rsk",)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in BENCHMARKS:
        print(f"usage: python -m bench {{{','.join(BENCHMARKS)}}} [options]", file=sys.stderr)
        return 2
    if argv[0] == "rsk":
        from bench.rsk import main as rsk_main

        return rsk_main(argv[1:])
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
