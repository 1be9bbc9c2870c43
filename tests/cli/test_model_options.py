"""``kubecheck check --caches off|lagged --kubernetes-version X.Y`` (issue #20): the options reach every
scenario's model, a scenario file's own keys win, ``.kubecheck.yaml`` may set them, bad values are one
line and exit 2, and the outputs say what was modelled."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import FAST, ROOT, run_console
from .test_check import invoke

RS = ROOT / "examples" / "replicaset.yaml"


def _states(stdout: str) -> list[int]:
    return [int(n) for n in re.findall(r"search: \d+ properties, (\d+) states", stdout)]


def test_caches_lagged_is_modelled_and_shown_in_the_header(tmp_path: Path) -> None:
    off, _ = invoke(["check", str(RS), "-s", "pod-crash", *FAST], tmp_path)
    lagged, _ = invoke(["check", str(RS), "-s", "pod-crash", "--caches", "lagged", *FAST], tmp_path)
    assert off.exit_code == 0 and lagged.exit_code == 0, lagged.output
    assert "engine explicit; Kubernetes 1.36, caches off; bounds per search" in off.stdout
    assert "engine explicit; Kubernetes 1.36, caches lagged; bounds per search" in lagged.stdout
    # the caches are really part of the state: the informer's deliveries add states to the same search
    assert _states(lagged.stdout) and _states(off.stdout)
    assert _states(lagged.stdout)[0] > _states(off.stdout)[0]


def test_json_reports_the_version_and_cache_mode_per_run_and_per_scenario(tmp_path: Path) -> None:
    from kubecheck.output.jsonout import REPORT_JSON_SCHEMA
    import jsonschema

    r, _ = invoke(["check", str(RS), "-s", "pod-crash", "--caches", "lagged", "--kubernetes-version", "1.35",
                   "-f", "json", *FAST], tmp_path)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout[r.stdout.index("{"):])
    jsonschema.validate(doc, REPORT_JSON_SCHEMA)
    assert (doc["caches"], doc["kubernetes_version"]) == ("lagged", "1.35")
    run = next(s for s in doc["scenarios"] if s["name"] == "pod-crash")
    assert (run["caches"], run["kubernetes_version"]) == ("lagged", "1.35")


def test_bad_version_and_cache_mode_are_one_line_exit_2(tmp_path: Path) -> None:
    r = run_console(["check", str(RS), "--kubernetes-version", "1.99", "-q"], tmp_path)
    assert r.code == 2
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]
    assert r.stderr.startswith("kubecheck: --kubernetes-version: '1.99' is not one of '1.28'")
    r = run_console(["check", str(RS), "--caches", "sometimes", "-q"], tmp_path)
    assert r.code == 2 and len(r.stderr.strip().splitlines()) == 1 and "--caches" in r.stderr


def test_a_scenario_files_own_keys_win_and_stale_reads_keeps_caches_off(tmp_path: Path) -> None:
    own = tmp_path / "own.yaml"
    own.write_text("name: own\ncaches: 'off'\nkubernetes_version: '1.30'\nfaults: {container_crash: 1}\n")
    stale = tmp_path / "stale.yaml"
    stale.write_text("name: stale\nstale_reads: true\nfaults: {container_crash: 1}\n")
    r, _ = invoke(["check", str(RS), "-s", "pod-crash", "--scenario-file", str(own), "--scenario-file", str(stale),
                   "--caches", "lagged", "-f", "json", *FAST], tmp_path)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout[r.stdout.index("{"):])
    runs = {s["name"]: (s["caches"], s["kubernetes_version"]) for s in doc["scenarios"]}
    assert runs["pod-crash"] == ("lagged", "1.36")
    assert runs["own"] == ("off", "1.30")
    assert runs["stale"] == ("off", "1.36")  # stale_reads and caches are two models of one lag: its choice wins
    text, _ = invoke(["check", str(RS), "-s", "pod-crash", "--scenario-file", str(own), "--caches", "lagged", *FAST], tmp_path)
    assert "scenario's own model: own: Kubernetes 1.30, caches off" in text.stdout


def test_config_file_sets_them_and_the_command_line_wins(tmp_path: Path) -> None:
    cfg = tmp_path / "kc.yaml"
    cfg.write_text("caches: lagged\nkubernetes_version: '1.33'\n")
    r, _ = invoke(["check", str(RS), "-s", "pod-crash", "--config", str(cfg), *FAST], tmp_path)
    assert r.exit_code == 0, r.output
    assert "Kubernetes 1.33, caches lagged;" in r.stdout
    r, _ = invoke(["check", str(RS), "-s", "pod-crash", "--config", str(cfg), "--caches", "off",
                   "--kubernetes-version", "1.36", *FAST], tmp_path)
    assert "Kubernetes 1.36, caches off;" in r.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("fail_on: error\nkubernetes_version: 1.35\n")  # a YAML float, not the string "1.35"
    r, _ = invoke(["check", str(RS), "--config", str(bad), *FAST], tmp_path)
    assert r.exit_code == 2
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith(f"{bad}:2: kubernetes_version: "), r.stderr


def test_time_ordered_in_a_scenario_file_reaches_the_model(tmp_path: Path) -> None:
    """``time: ordered`` (issue #20 item 5) goes from a scenario file to ``Scenario.time``; an unknown
    value is one line, exit 2."""
    from kubecheck.scenarios import load_scenario_file
    from model.state import ClusterState

    f = tmp_path / "ordered.yaml"
    f.write_text("name: ordered\ntime: ordered\nfaults: {container_crash: 1}\n")
    spec = load_scenario_file(str(f))
    assert spec.time == "ordered" and spec.to_scenario(ClusterState(), "write").time == "ordered"
    plain = tmp_path / "plain.yaml"
    plain.write_text("name: plain\nfaults: {container_crash: 1}\n")
    assert load_scenario_file(str(plain)).to_scenario(ClusterState(), "write").time == "abstract"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ntime: sometimes\n")
    r = run_console(["check", str(RS), "--scenario-file", str(bad), "-q"], tmp_path)
    assert r.code == 2 and len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith(f"{bad}:2: time"), r.stderr


def test_scenario_file_opts_into_terminating_replicas_and_the_kubelet_terminal_phase(tmp_path: Path) -> None:
    """``terminating_replicas:`` / ``kubelet_terminal_phase:`` reach the model's Scenario (off when absent);
    a non-boolean is one line ``FILE:LINE: FIELD: message``."""
    import pytest

    from kubecheck.scenarios import InvalidScenario, load_scenario_file
    from model.state import ClusterState

    on = tmp_path / "on.yaml"
    on.write_text("name: gated\nkubernetes_version: '1.35'\nterminating_replicas: true\nkubelet_terminal_phase: true\n")
    sc = load_scenario_file(str(on)).to_scenario(ClusterState(), "write")
    assert (sc.kubernetes_version, sc.terminating_replicas, sc.kubelet_terminal_phase) == ("1.35", True, True)
    off = tmp_path / "off.yaml"
    off.write_text("name: plain\n")
    sc = load_scenario_file(str(off)).to_scenario(ClusterState(), "write")
    assert (sc.terminating_replicas, sc.kubelet_terminal_phase) == (False, False)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nterminating_replicas: 'yes'\n")
    with pytest.raises(InvalidScenario) as exc:
        load_scenario_file(str(bad))
    assert str(exc.value).startswith(f"{bad}:2: terminating_replicas: ") and "\n" not in str(exc.value)


def test_match_label_keys_with_scenarios_on_both_sides_of_1_31_is_one_line_exit_2(tmp_path: Path) -> None:
    # one settled state serves every scenario, and the API server of 1.30 drops matchLabelKeys where 1.31 merges them
    m = tmp_path / "web.yaml"
    m.write_text("""apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [
        {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname, matchLabelKeys: [pod-template-hash]}]}}
      containers: [{name: c, image: nginx}]
""")
    own = tmp_path / "own.yaml"
    own.write_text("name: own\nkubernetes_version: '1.30'\nfaults: {container_crash: 1}\n")
    r = run_console(["check", str(m), "-s", "pod-crash", "--scenario-file", str(own), "-q"], tmp_path)
    assert r.code == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "both sides of 1.31" in r.stderr, r.stderr


def test_spread_match_label_keys_with_scenarios_on_both_sides_of_1_34_is_one_line_exit_2(tmp_path: Path) -> None:
    # from 1.34 the API server merges a topology spread constraint's matchLabelKeys into a Pod's selector at its create
    # (MatchLabelKeysInPodTopologySpreadSelectorMerge); one settled state cannot serve 1.33 and 1.36
    m = tmp_path / "web.yaml"
    m.write_text("""apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,
        labelSelector: {matchLabels: {app: web}}, matchLabelKeys: [pod-template-hash]}]
      containers: [{name: c, image: nginx}]
""")
    own = tmp_path / "own.yaml"
    own.write_text("name: own\nkubernetes_version: '1.33'\nfaults: {container_crash: 1}\n")
    r = run_console(["check", str(m), "-s", "pod-crash", "--scenario-file", str(own), "-q"], tmp_path)
    assert r.code == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "both sides of 1.34" in r.stderr, r.stderr
    same = tmp_path / "same.yaml"
    same.write_text("name: same\nkubernetes_version: '1.36'\nfaults: {container_crash: 1}\n")
    r = run_console(["check", str(m), "-s", "pod-crash", "--scenario-file", str(same), "-q", "--nodes", "2"], tmp_path)
    assert r.code == 0, r.stdout + r.stderr
