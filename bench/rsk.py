"""RS-K: the ReplicaSet-like benchmark model from the prior-work notes.

K pod slots, each absent (0) / pending (1) / running (2) / terminating (3); desired replicas ``d`` in
0..4, initially 3; all slots start absent.  ``active`` = pending + running.  Actions, in this order:

* ``scale`` (user, unfair): set ``d`` to any other value in 0..4;
* per slot ``i``: ``create`` (absent -> pending if active < d), ``delete`` (active -> terminating if
  active > d), ``start`` (pending -> running), ``finish`` (terminating -> absent), ``crash``
  (running -> absent, a fault, unfair).

Pinned counts (shared with SPIN in the notes): K=8: 208,640 states / 2,547,712 transitions; K=10:
1,976,320 states / 26,813,440 transitions.  With pod-slot symmetry (canonical = sorted slots) K=10 has
625 orbits.  The state is a flat tuple ``(slot_0, ..., slot_{K-1}, d)``.

Run: ``python -m bench rsk [--k 10] [--symmetry-only]``.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from typing import Any, Sequence

from kubecheck.core.properties import invariant
from kubecheck.core.ts import Action, BaseSystem

ABSENT, PENDING, RUNNING, TERMINATING = 0, 1, 2, 3
MAX_REPLICAS = 4
INITIAL_REPLICAS = 3

RSKState = tuple[int, ...]
_OTHER_REPLICAS = tuple(tuple(n for n in range(MAX_REPLICAS + 1) if n != d) for d in range(MAX_REPLICAS + 1))


class RSK(BaseSystem[RSKState]):
    """The RS-K system with fast ``successors``/``next_states`` overrides (same order as ``actions``)."""

    def __init__(self, k: int) -> None:
        self.k = k
        self._scale = tuple(Action("user", "scale", fair=False, data=n) for n in range(MAX_REPLICAS + 1))
        self._slot = tuple(
            {
                name: Action(actor, name, fair=fair, fairness_key=actor, data=i)
                for name, actor, fair in (
                    ("create", "rs-controller", True),
                    ("delete", "rs-controller", True),
                    ("start", "kubelet", True),
                    ("finish", "kubelet", True),
                    ("crash", "fault", False),
                )
            }
            for i in range(k)
        )

    def init_states(self) -> Sequence[RSKState]:
        return [(ABSENT,) * self.k + (INITIAL_REPLICAS,)]

    @staticmethod
    def _active(s: RSKState) -> int:
        act = s.count(PENDING) + s.count(RUNNING)
        d = s[-1]
        return act - 1 if d in (PENDING, RUNNING) else act

    def actions(self, s: RSKState) -> Sequence[Action]:
        out = [a for a in self._scale if a.data != s[-1]]
        for slot in self._slot:
            out.extend(slot.values())
        return out

    def step(self, s: RSKState, a: Action) -> RSKState | None:
        d = s[-1]
        n = a.data
        # Invariant: __init__ builds every action of this system with an int (replicas or slot index).
        assert isinstance(n, int), a
        if a.label == "scale":
            return s[:-1] + (n,) if n != d else None
        i = n
        x = s[i]
        act = self._active(s)
        new = {
            "create": PENDING if x == ABSENT and act < d else None,
            "delete": TERMINATING if x in (PENDING, RUNNING) and act > d else None,
            "start": RUNNING if x == PENDING else None,
            "finish": ABSENT if x == TERMINATING else None,
            "crash": ABSENT if x == RUNNING else None,
        }[a.label]
        return None if new is None else s[:i] + (new,) + s[i + 1 :]

    def successors(self, s: RSKState) -> list[tuple[Action, RSKState]]:
        out = []
        for t in self._next(s, self._slot, self._scale):
            out.append(t)
        return out

    def next_states(self, s: RSKState) -> list[RSKState]:
        """The hot path: successor states only, in ``actions`` order (mutate one list, copy to tuples)."""
        d = s[-1]
        body = s[:-1]
        out = [body + (n,) for n in _OTHER_REPLICAS[d]]
        act = s.count(PENDING) + s.count(RUNNING) - (1 if d == PENDING or d == RUNNING else 0)
        can_create = act < d
        can_delete = act > d
        append = out.append
        cur = list(s)
        for i, x in enumerate(body):
            if x == ABSENT:
                if can_create:
                    cur[i] = PENDING
                    append(tuple(cur))
                    cur[i] = ABSENT
            elif x == PENDING:
                if can_delete:
                    cur[i] = TERMINATING
                    append(tuple(cur))
                cur[i] = RUNNING
                append(tuple(cur))
                cur[i] = PENDING
            elif x == RUNNING:
                if can_delete:
                    cur[i] = TERMINATING
                    append(tuple(cur))
                cur[i] = ABSENT
                append(tuple(cur))
                cur[i] = RUNNING
            else:
                cur[i] = ABSENT
                append(tuple(cur))
                cur[i] = TERMINATING
        return out

    def _next(self, s: RSKState, slot_actions: Any, scale_actions: Any) -> list[Any]:
        """Successors in ``actions`` order; with action tables, ``(action, state)`` pairs.

        ``slot_actions``/``scale_actions``: ``self._slot``/``self._scale``, or ``None`` for bare states.
        """
        d = s[-1]
        body = s[:-1]
        with_actions = slot_actions is not None
        out: list[Any]
        if with_actions:
            out = [(scale_actions[n], body + (n,)) for n in range(MAX_REPLICAS + 1) if n != d]
        else:
            out = [body + (n,) for n in range(MAX_REPLICAS + 1) if n != d]
        act = s.count(PENDING) + s.count(RUNNING) - (1 if d == PENDING or d == RUNNING else 0)
        can_create = act < d
        can_delete = act > d
        append = out.append
        for i in range(self.k):
            x = s[i]
            if x == ABSENT:
                if can_create:
                    t = s[:i] + (PENDING,) + s[i + 1 :]
                    append((slot_actions[i]["create"], t) if with_actions else t)
            elif x == PENDING:
                if can_delete:
                    t = s[:i] + (TERMINATING,) + s[i + 1 :]
                    append((slot_actions[i]["delete"], t) if with_actions else t)
                t = s[:i] + (RUNNING,) + s[i + 1 :]
                append((slot_actions[i]["start"], t) if with_actions else t)
            elif x == RUNNING:
                if can_delete:
                    t = s[:i] + (TERMINATING,) + s[i + 1 :]
                    append((slot_actions[i]["delete"], t) if with_actions else t)
                t = s[:i] + (ABSENT,) + s[i + 1 :]
                append((slot_actions[i]["crash"], t) if with_actions else t)
            else:
                t = s[:i] + (ABSENT,) + s[i + 1 :]
                append((slot_actions[i]["finish"], t) if with_actions else t)
        return out

    def canonical(self, s: RSKState) -> RSKState:
        """Pod slots are interchangeable: the sorted slots plus ``d`` name the orbit."""
        return (*sorted(s[:-1]), s[-1])


def active_at_most(bound: int):
    def pred(s: RSKState) -> bool:
        return RSK._active(s) <= bound

    pred.__name__ = f"active_at_most_{bound}"
    return pred


def run(k: int, symmetry_only: bool = False) -> list[dict[str, object]]:
    from kubecheck.core.explorer import explore

    rows: list[dict[str, object]] = []
    prop = invariant("RSK-ACTIVE", "active <= 4", active_at_most(MAX_REPLICAS))
    configs = [(True,)] if symmetry_only else [(False,), (True,)]
    for (sym,) in configs:
        res = explore(RSK(k), [prop], symmetry=sym, progress=False)
        st = res.stats
        rows.append(
            {
                "k": k,
                "symmetry": sym,
                "verdict": res.results[0].verdict.name,
                "states": st.states,
                "transitions": st.transitions,
                "depth": st.max_depth,
                "seconds": round(st.seconds, 4),
                "states_per_second": round(st.states_per_second),
                "transitions_per_second": round(st.transitions / st.seconds) if st.seconds else None,
                "peak_rss_mb": round(st.peak_memory_bytes / 2**20),
            }
        )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench rsk", description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--symmetry-only", action="store_true")
    args = ap.parse_args(argv)
    print(f"# {platform.processor() or platform.machine()} | Python {platform.python_version()} | {time.strftime('%Y-%m-%d')}")
    for row in run(args.k, args.symmetry_only):
        print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
