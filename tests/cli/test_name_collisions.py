"""Objects whose names collide with a StatefulSet's ordinal pod names (found in the public corpus:
kubernetes' Cassandra e2e directory has a ReplicationController and a StatefulSet both called
``cassandra``). Both used to stop the check with ``internal error: ApiError: AlreadyExists``.

* A bare Pod ``db-1`` (labels the set does not select) beside StatefulSet ``db``: upstream's
  ``CreateStatefulPod`` meets AlreadyExists and the set retries for ever, so the set never runs
  ordinal 1: KC-CONV-003 is violated, with and without decomposition (the pod and the set are in
  one interaction group: they share a name).
* ReplicationController ``db`` and StatefulSet ``db``: the RC's generated pod names (upstream: 5
  random characters) never take the set's ordinal names, so both converge.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .test_check import invoke

DATA = Path(__file__).parent / "data" / "names"


@pytest.mark.parametrize("decompose", ["--decompose", "--no-decompose"])
def test_a_bare_pod_holding_an_ordinal_name_stops_the_statefulset(tmp_path: Path, decompose: str) -> None:
    r, _ = invoke(["check", str(DATA / "pod-sts.yaml"), "-s", "pod-crash", "-p", "KC-CONV-003", "--progress", "off", decompose],
                  tmp_path)
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+KC-CONV-003\s+StatefulSet default/db", r.stdout)
    assert "internal error" not in r.output


def test_a_controller_named_like_a_statefulset_does_not_take_its_ordinals(tmp_path: Path) -> None:
    r, work = invoke(["check", str(DATA / "rc-sts-same-name.yaml"), "-s", "pod-crash", "--progress", "off", "--no-decompose",
                      "--format", "json"], tmp_path)
    assert r.exit_code == 0, r.output
    assert "internal error" not in r.output
