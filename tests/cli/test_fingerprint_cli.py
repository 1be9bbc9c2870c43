"""``kubecheck check --fingerprint`` end to end on the bundled violation example."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import FAST, VIOLATION
from .test_check import invoke

ARGS = ["check", str(VIOLATION), "-s", "rollout", "-p", "KC-ROLL-004,KC-CONV-002", *FAST, "-f", "json"]


def test_fingerprint_flag_same_findings_and_traces_and_reports_the_probability(tmp_path: Path) -> None:
    plain, _ = invoke(ARGS, tmp_path)
    fp, work = invoke(ARGS + ["--fingerprint"], tmp_path)
    assert plain.exit_code == fp.exit_code == 1, fp.output
    a, b = json.loads(plain.stdout), json.loads(fp.stdout)  # stdout stays pure JSON
    # the invariant runs with fingerprints, the eventual rule in a second search without them
    ex = {(e["properties"], tuple(e["reductions"])) for e in b["explorations"]}
    (fp_red,) = [r for _, reds in ex for r in reds]
    assert re.fullmatch(r"fingerprints \(64-bit, collision probability <= \d(\.\d)?e-\d\d\)", fp_red), fp_red
    assert {(n, reds == (fp_red,)) for n, reds in ex} == {(1, True), (1, False)}
    (plain_ex,) = a["explorations"]
    (rest,) = [e for e in b["explorations"] if not e["reductions"]]
    assert rest["states"] == plain_ex["states"]  # the eventual rule's search is the plain one
    fa = {f["rule_id"]: f for f in a["findings"]}
    fb = {f["rule_id"]: f for f in b["findings"]}
    assert fb["KC-ROLL-004"]["verdict"] == fa["KC-ROLL-004"]["verdict"] == "violated"
    assert fb["KC-ROLL-004"]["trace"]["steps"] == fa["KC-ROLL-004"]["trace"]["steps"]
    assert fb["KC-ROLL-004"]["reductions"] == [fp_red] and fb["KC-CONV-002"]["reductions"] == []
    assert fb["KC-CONV-002"]["verdict"] == fa["KC-CONV-002"]["verdict"]
    assert (work / fb["KC-ROLL-004"]["trace"]["dir"] / "trace.json").is_file()
    # the one output line (on stderr, since stdout is JSON)
    (line,) = [ln for ln in fp.stderr.splitlines() if ln.startswith("fingerprints:")]
    assert "1 search(es) stored 64-bit state fingerprints" in line and "probability <= " in line
    assert "1 search(es) for action/eventual rules ran without them" in line
    assert "fingerprints" not in plain.stderr


def test_fingerprint_text_output_lists_it_with_the_reductions(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(VIOLATION), "-s", "pod-crash", "-p", "KC-OWN-001", *FAST, "--fingerprint"], tmp_path)
    assert r.exit_code == 0, r.output
    assert re.search(r"reductions: fingerprints \(64-bit, collision probability <= [0-9.e-]+\), exhaustive", r.stdout)
    assert re.search(r"^fingerprints: 1 search\(es\) stored 64-bit state fingerprints", r.stdout, re.MULTILINE)


def test_fingerprint_with_the_random_engine_is_refused_in_one_line(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(VIOLATION), "--engine", "random", "--fingerprint", *FAST], tmp_path)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.strip() == "kubecheck: --fingerprint needs --engine explicit (random runs store no visited states)"


def test_fingerprint_reductions_reach_sarif_and_junit(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    base = ["check", str(VIOLATION), "-s", "pod-crash", "-p", "KC-OWN-001", *FAST, "--fingerprint"]
    r, _ = invoke(base + ["-f", "sarif"], tmp_path)
    assert r.exit_code == 0, r.output
    (run,) = json.loads(r.stdout)["runs"]
    (ex,) = run["properties"]["explorations"]
    assert ex["scenario"] == "pod-crash" and ex["complete"] is True and ex["boundHit"] is None
    (red,) = ex["reductions"]
    assert red.startswith("fingerprints (64-bit, collision probability <= ")
    r, _ = invoke(base + ["-f", "junit"], tmp_path)
    assert r.exit_code == 0, r.output
    (case,) = ET.fromstring(r.stdout).iter("testcase")
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props["verdict"] == "holds" and props["reductions"] == red
