"""The mypyc 2.4.1 miscompilation found by the evaluation in docs/performance.md ("mypyc"): in compiled
code, ``==`` between two values declared with the same non-native dataclass type is compiled to object
identity (mypyc/irbuild/ll_builder.py: the class IR has no ``__eq__``, the dataclass decorator adds it only
at run time).  Reproduce in a scratch directory:

    cp docs/mypyc-eval/eq_identity.py DIR && cd DIR && mypyc eq_identity.py
    python -c "import eq_identity as m; a, b = m.P(1), m.P(1); print(a == b, m.same(a, b))"

prints ``True False`` (interpreted ``==``, then the compiled one).
"""

from __future__ import annotations
from dataclasses import dataclass
from mypy_extensions import mypyc_attr


@mypyc_attr(native_class=False)
@dataclass(frozen=True)
class P:
    x: int


def same(a: P, b: P) -> bool:
    return a == b
