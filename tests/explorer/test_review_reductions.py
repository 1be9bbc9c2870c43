"""Review of hash compaction (``fingerprint=True``) and its interplay with the symmetry key.

Defect found here (fixed in ``kubecheck.core.explorer._fingerprint``): values that are ``==`` could
encode differently, so the fingerprint search counted more states than the plain one: a
top-level tuple of small ints took the ``b"B"`` shortcut but an equal tuple holding an
int-valued float (``(1, 2.0)``, ``(-0.0,)``) or a namedtuple did not; a namedtuple, a ``str``
subclass or an int-valued float met inside a state was replaced by its 128-bit digest when
long, while the equal plain tuple, ``str`` or ``int`` stays inline; a ``(str, Enum)`` member
was encoded as ``str(member)`` (``"Cls.NAME"``), a ``(float, Enum)`` one by its ``repr``
(its name).  A duplicate never hides a state (no wrong HOLDS), but the encoding's promise
"equal states encode equally" was broken.

Everything else checked here held: fingerprints with symmetry give the counts, verdicts and
traces of symmetry alone; one system object reused for all four combinations gives what fresh
ones give; a symmetric fingerprint run is the same in another process (other hash seed); forced
collisions with symmetry never yield a trace that does not replay; the runner runs every rule
once with the right reductions.
"""

from __future__ import annotations

import enum
import hashlib
import os
import subprocess
import sys
from collections import namedtuple
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubecheck.core.explorer import explore
from kubecheck.core.explorer._fingerprint import encode, fingerprint_fn
from kubecheck.core.properties import invariant, sometimes
from kubecheck.core.verdict import Verdict
from model.frozen import FrozenMap
from model.system import KubeSystem
from traces.replay import replay

from tests.model.test_review_canonical import stale_reads_sandbox_death, three_nodes_node_failure

ROOT = Path(__file__).resolve().parents[2]

_Pair = namedtuple("_Pair", "a b")


class _Str(str):
    pass


class _StrEnum(str, enum.Enum):
    LONG = "z" * 60


class _FloatEnum(float, enum.Enum):
    HALF = 1.5


class _TupleEnum(tuple, enum.Enum):  # type: ignore[misc]
    PAIR = (1, "y" * 50)


class _Pure(enum.Enum):
    ONE = 1


_LONG = "z" * 60

# ------------------------------------------------------------------------------ the encoding


@pytest.mark.parametrize(
    "a, b",
    [
        ((1, 2), (1, 2.0)),
        ((0, 7), (-0.0, 7)),
        ((1, 2), _Pair(1, 2)),
        (((_LONG, 1),), (_Pair(_LONG, 1),)),
        ((_LONG,), (_Str(_LONG),)),
        ((_LONG,), (_StrEnum.LONG,)),
        ((int(1e300),), (1e300,)),
        ((1.5, "k"), (_FloatEnum.HALF, "k")),
        (((1, "y" * 50), None), (_TupleEnum.PAIR, None)),
        ((FrozenMap({"k": (1, 2.0)}),), ({"k": _Pair(1, 2)},)),
    ],
    ids=["float-in-bytes-tuple", "minus-zero", "namedtuple-top", "namedtuple-long", "str-subclass-long", "str-enum",
         "big-float", "float-enum", "tuple-enum", "map-of-twins"],
)
def test_equal_values_encode_equally(a: Any, b: Any) -> None:
    assert a == b
    assert encode(a) == encode(b)
    assert fingerprint_fn()(a) == fingerprint_fn()(b)


def test_a_pure_enum_is_not_its_value() -> None:
    assert _Pure.ONE != 1 and encode((_Pure.ONE,)) != encode((1,))


_scalars = st.one_of(
    st.integers(-3, 300),
    st.sampled_from([2**70, -(2**65)]),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from([0.5, -0.0, 3.0, 1e300]),
    st.text("ab", max_size=3),
    st.sampled_from([_LONG, "a" * 41]),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.tuples(inner, inner),
        st.lists(inner, max_size=3).map(tuple),
        st.frozensets(st.one_of(st.integers(0, 5), st.text("ab", max_size=2)), max_size=3),
        st.dictionaries(st.text("ab", max_size=2), inner, max_size=3).map(FrozenMap),
    ),
    max_leaves=8,
)


def _twin(v: Any, flip: Any) -> Any:
    """An ``==`` value of other types: ints as floats or bools, 2-tuples as namedtuples, strs as a
    subclass, frozensets as sets, FrozenMaps as dicts."""
    if type(v) is bool:
        return int(v) if flip.draw(st.booleans()) else v
    if type(v) is int:
        if v in (0, 1) and flip.draw(st.booleans()):
            return bool(v)
        return float(v) if float(v) == v and flip.draw(st.booleans()) else v
    if type(v) is float:
        return int(v) if v.is_integer() and flip.draw(st.booleans()) else v
    if type(v) is str:
        return _Str(v) if flip.draw(st.booleans()) else v
    if type(v) is tuple:
        items = tuple(_twin(x, flip) for x in v)
        return _Pair(*items) if len(items) == 2 and flip.draw(st.booleans()) else items
    if type(v) is frozenset:
        return set(v) if flip.draw(st.booleans()) else v
    if isinstance(v, FrozenMap):
        items = {k: _twin(x, flip) for k, x in v.items()}
        return items if flip.draw(st.booleans()) else FrozenMap(items)
    return v


@settings(max_examples=300, deadline=None)
@given(v=_values, data=st.data())
def test_equal_values_of_other_types_encode_equally(v: Any, data: Any) -> None:
    w = _twin(v, data)
    assert v == w
    assert encode(v) == encode(w), (v, w)
    wrapped_v, wrapped_w = (v, _LONG), (w, _LONG)  # nested, and past the inline limit
    assert encode(wrapped_v) == encode(wrapped_w)


@settings(max_examples=150, deadline=None)
@given(vs=st.lists(_values, min_size=2, max_size=8))
def test_unequal_values_encode_apart(vs: list[Any]) -> None:
    by_code: dict[bytes, Any] = {}
    for v in vs:
        other = by_code.setdefault(encode(v), v)
        assert other == v, (other, v)


# --------------------------------------------------------- fingerprints x symmetry on the model


def _props() -> list[Any]:
    return [
        invariant("REV-READY", "some pod is ready", lambda s: any(p.conditions.ready for p in s.cluster.pods.values())),
        invariant("REV-2", "at most two pods", lambda s: len(s.cluster.pods) <= 2),
        sometimes("REV-PENDING", "a pending write", lambda s: bool(s.pending)),
    ]


def _summary(res: Any) -> tuple[Any, ...]:
    traces = tuple(
        None if r.trace is None else (r.trace.init_index, tuple((st.actor, st.label, st.action_index) for st in r.trace.steps))
        for r in res.results
    )
    return (res.stats.states, res.stats.transitions, res.complete, tuple(r.verdict for r in res.results), traces)


_ALL = [(True, True), (True, False), (False, True), (False, False)]


@pytest.mark.parametrize(
    "make, combos",
    [(stale_reads_sandbox_death, _ALL), (three_nodes_node_failure, _ALL[:2])],  # the unreduced 3-node space costs 3 s more
    ids=["stale-write", "three-nodes"],
)
def test_fingerprints_with_symmetry_agree_with_symmetry_alone_also_on_a_reused_system(make: Any, combos: list[tuple[bool, bool]]) -> None:
    """(symmetry, fingerprint): each combination on a fresh system and, in turn, on one shared
    system (hash-consing on after the first symmetric search, tokens numbered on), gives the
    same counts, verdicts and traces; fingerprints change nothing; every trace replays."""
    scenario = make()
    fresh = {c: explore(KubeSystem(scenario), _props(), symmetry=c[0], fingerprint=c[1], check_deadlock=True, progress=False) for c in combos}
    shared_system = KubeSystem(scenario)  # one object for all four, as the runner does
    shared = {c: explore(shared_system, _props(), symmetry=c[0], fingerprint=c[1], check_deadlock=True, progress=False) for c in combos}
    for c in combos:
        assert _summary(shared[c]) == _summary(fresh[c])
        assert ("fingerprint" in fresh[c].reductions) is c[1] and ("symmetry" in fresh[c].reductions) is c[0]
    assert _summary(fresh[(True, True)]) == _summary(fresh[(True, False)])
    if (False, False) in fresh:
        assert _summary(fresh[(False, True)]) == _summary(fresh[(False, False)])
        assert fresh[(True, True)].stats.states < fresh[(False, False)].stats.states
    found = 0
    for res in fresh.values():
        for r in res.results:
            if r.trace is not None:
                replay(KubeSystem(scenario), r.trace)  # a fresh system (as `kubecheck replay`) replays it
                found += 1
    assert found >= 2 * len(combos)


_CHILD = """
import hashlib, sys
from kubecheck.core.explorer import explore
from kubecheck.core.explorer._fingerprint import fingerprint_fn
from model.system import KubeSystem
from tests.model.test_review_canonical import three_nodes_node_failure
fp = fingerprint_fn()
seen = []
def rec(s):
    v = fp(s)
    seen.append(v)
    return v
res = explore(KubeSystem(three_nodes_node_failure()), [], symmetry=True, fingerprint=True, _fingerprint_fn=rec, progress=False)
print(res.stats.states, res.stats.transitions, hashlib.sha256(repr(seen).encode()).hexdigest())
"""


def test_a_symmetric_fingerprint_run_is_the_same_in_another_process() -> None:
    """The key's tokens are numbered in discovery order: the fingerprints of a run still come out
    the same under another hash seed (the exploration order is deterministic)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outs = set()
    for seed in ("1", "4242"):
        out = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, timeout=120, cwd=ROOT,
                             env={**env, "PYTHONHASHSEED": seed}, check=True)
        outs.add(out.stdout.strip())
    (line,) = outs
    states, transitions, digest = line.split()
    plain = explore(KubeSystem(three_nodes_node_failure()), [], symmetry=True, progress=False)
    assert (int(states), int(transitions)) == (plain.stats.states, plain.stats.transitions)
    assert len(digest) == 64


def test_forced_collisions_with_symmetry_give_only_real_traces() -> None:
    """8-bit fingerprints of symmetry keys: collisions certain, yet every reported trace replays
    and ends in a state that shows the finding."""
    scenario = three_nodes_node_failure()
    res = explore(KubeSystem(scenario), _props(), symmetry=True, fingerprint=True, _fingerprint_bits=8, progress=False)
    assert res.stats.states <= 256 and res.stats.collision_probability > 0.99
    for r in res.results:
        assert r.verdict is not Verdict.ERROR
        if r.trace is not None:
            last = replay(KubeSystem(scenario), r.trace).steps[-1].state if r.trace.steps else r.trace.initial
            assert r.property.predicate(last) is (r.property.kind.value == "sometimes")
        else:
            assert "up to fingerprint collisions" in r.note


# --------------------------------------------------------------------------- the runner's split


def test_runner_runs_every_rule_once_with_the_reductions_its_kind_allows(tmp_path: Path) -> None:
    """``--symmetry --fingerprint``: invariants get both, action rules symmetry only, eventual rules
    neither; every (rule, target) has one finding; the verdicts are those of a plain check."""
    from kubecheck.runner import CheckConfig, run_check
    from model.manifests import load_manifests

    violation = ROOT / "examples" / "violations" / "single-replica-api.yaml"
    rules = ("KC-OWN-001", "KC-OWN-003", "KC-CONV-002", "KC-ROLL-004", "KC-ROLL-001")
    kinds = {"KC-OWN-001": "invariant", "KC-OWN-003": "action", "KC-CONV-002": "eventually_always",
             "KC-ROLL-004": "invariant", "KC-ROLL-001": "action"}

    def run(sym: bool, fp: bool) -> Any:
        cfg = CheckConfig(scenarios=("rollout",), rule_ids=rules, nodes=1, granularity="reconcile", symmetry=sym, fingerprint=fp,
                          out_dir=str(tmp_path / f"out-{sym}-{fp}"), progress=False)
        return run_check(cfg, load_manifests([str(violation)]))

    plain, both = run(False, False), run(True, True)
    keys = [(f.scenario, f.rule_id, f.target) for f in both.findings]
    assert len(keys) == len(set(keys)) and set(keys) == {(f.scenario, f.rule_id, f.target) for f in plain.findings}
    assert {f.rule_id for f in both.findings} == set(rules)
    verdicts = {(f.rule_id, f.target): f.verdict for f in plain.findings}
    for f in both.findings:
        assert f.kind == kinds[f.rule_id]
        assert f.verdict == verdicts[(f.rule_id, f.target)], f
        if f.kind == "invariant":
            assert f.reductions[0] == "symmetry" and f.reductions[1].startswith("fingerprints (64-bit, collision probability <= ")
            assert len(f.reductions) == 2
        elif f.kind == "action":
            assert f.reductions == ("symmetry",)
        else:
            assert f.reductions == ()
    assert sum(e.properties for e in both.explorations) == sum(e.properties for e in plain.explorations)
    assert "violated" in verdicts.values()


# ------------------------------------------------------------------------ the identity memos


def test_the_encoder_memo_survives_recycled_ids_and_clearing() -> None:
    """Objects made and dropped in a loop reuse ids; the memo holds what it caches (so a cached id
    is never reused) and a tiny cap clears it all the time: every fingerprint equals a fresh one."""
    tiny = fingerprint_fn(cap=2)
    ids = set()
    for i in range(300):
        m = FrozenMap({"k": ("v" * 50, i % 7), "j": (i % 3,)})  # over the inline limit: digested, memoised
        ids.add(id(m))
        assert tiny((m, i % 5)) == fingerprint_fn()((FrozenMap(m.to_dict()), i % 5))
        del m
    assert len(ids) < 300  # ids were recycled


def test_small_and_default_memos_fingerprint_model_states_alike() -> None:
    system = KubeSystem(stale_reads_sandbox_death())
    states = [system.init_states()[0]]
    for s in states:
        if len(states) >= 150:
            break
        states.extend(system.next_states(s))
    tiny, default = fingerprint_fn(cap=3), fingerprint_fn()
    keys = [system.canonical(s) for s in states]
    assert [tiny(s) for s in states] == [default(s) for s in states] == [fingerprint_fn()(s) for s in states]
    assert [tiny(k) for k in keys] == [default(k) for k in keys]
    # equal keys <-> equal fingerprints (no collision among these few)
    assert len({default(k) for k in keys}) == len(set(keys)) < len(keys)
