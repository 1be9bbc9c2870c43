"""Small hand-written transition systems with known answers, shared by the explorer tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Sequence

from kubecheck.core.ts import Action, BaseSystem


class Counter(BaseSystem[int]):
    """A counter 0..limit: ``inc`` (+1), ``dbl`` (*2, if > 0) and ``reset`` (to 0)."""

    def __init__(self, limit: int = 20) -> None:
        self.limit = limit

    def init_states(self) -> Sequence[int]:
        return [0]

    def actions(self, s: int) -> Sequence[Action]:
        return [Action("c", "inc"), Action("c", "dbl"), Action("c", "reset")]

    def step(self, s: int, a: Action) -> int | None:
        if a.label == "inc":
            return s + 1 if s < self.limit else None
        if a.label == "dbl":
            return s * 2 if 0 < s and s * 2 <= self.limit else None
        return 0 if s != 0 else None


@dataclass(frozen=True, slots=True)
class PetersonState:
    pc: tuple[int, int]  # 0 idle, 1 set flag, 2 set turn, 3 wait, 4 critical
    flag: tuple[bool, bool]
    turn: int


class Peterson(BaseSystem[PetersonState]):
    """Peterson's mutual exclusion for two processes."""

    def init_states(self) -> Sequence[PetersonState]:
        return [PetersonState((0, 0), (False, False), 0)]

    def actions(self, s: PetersonState) -> Sequence[Action]:
        return [Action(f"p{i}", "step", fairness_key=f"p{i}", data=i) for i in (0, 1)]

    def step(self, s: PetersonState, a: Action) -> PetersonState | None:
        i = a.data
        j = 1 - i
        pc = list(s.pc)
        flag = list(s.flag)
        turn = s.turn
        if pc[i] == 0:
            flag[i] = True
            pc[i] = 1
        elif pc[i] == 1:
            turn = j
            pc[i] = 2
        elif pc[i] == 2:
            if flag[j] and turn == j:
                return None  # busy wait: not enabled (level-triggered)
            pc[i] = 4
        elif pc[i] == 4:
            flag[i] = False
            pc[i] = 0
        return PetersonState((pc[0], pc[1]), (flag[0], flag[1]), turn)

    def canonical(self, s: PetersonState) -> Hashable:  # swap the processes' roles
        swapped = (s.pc[::-1], s.flag[::-1], 1 - s.turn)
        return min((s.pc, s.flag, s.turn), swapped)


Edge = tuple[str, str, bool, Hashable, Hashable]  # (actor, label, fair, fairness_key, target)


class Graph(BaseSystem[Hashable]):
    """An explicit graph: ``edges[state]`` lists ``(actor, label, fair, fairness_key, target)``."""

    def __init__(self, init: Sequence[Hashable], edges: dict[Hashable, list[Edge]], quiet: frozenset = frozenset()) -> None:
        self.init = list(init)
        self.edges = edges
        self.quiet = quiet  # states where no progress is expected

    def init_states(self) -> Sequence[Hashable]:
        return self.init

    def actions(self, s: Hashable) -> Sequence[Action]:
        return [Action(actor, label, fair, key, data=(s, n)) for n, (actor, label, fair, key, _) in enumerate(self.edges.get(s, []))]

    def step(self, s: Hashable, a: Action) -> Hashable | None:
        return self.edges[s][a.data[1]][4]

    def expects_progress(self, s: Hashable) -> bool:
        return s not in self.quiet
