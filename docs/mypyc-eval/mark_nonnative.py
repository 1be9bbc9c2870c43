"""Mark every top-level class of the given modules ``@mypyc_attr(native_class=False)`` (the mypyc
evaluation of docs/performance.md; never applied to the checkout, only to a scratch copy)."""

import re
import sys

for path in sys.argv[1:]:
    res: list[str] = []
    n = 0
    for line in open(path).read().split("\n"):
        if re.match(r"class \w+", line):
            j = len(res)
            while j > 0 and res[j - 1].startswith("@"):
                j -= 1
            res.insert(j, "@mypyc_attr(native_class=False)")
            n += 1
        res.append(line)
    text = "\n".join(res)
    if n:
        imp = "from mypy_extensions import mypyc_attr\n"
        m = re.search(r"^from __future__ import annotations\n", text, re.M)
        text = text[: m.end()] + imp + text[m.end():] if m else imp + text
    open(path, "w").write(text)
