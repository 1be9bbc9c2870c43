"""The real-world corpus benchmark (bench/corpus/): SOURCES.tsv parsing, extraction from a git mirror,
and the runner's measurement, report parsing and table, on a tiny corpus of this repository's
examples/ (CI has no mirrors of the real sets).  Each CLI run here takes about half a second."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bench.__main__ import main as bench_main
from bench.corpus.extract import (
    MirrorMissing,
    Source,
    SourcesError,
    extract,
    load_sources,
    main as extract_main,
    mirror_of,
    parse_sources,
)
from bench.corpus.run import CorpusRun, _without_json, markdown, measure, parse_report, run_corpus, summary
from bench.runner import write_section

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
HEADER = "name\trepository\tcommit\tpaths\tkind\tlicence\tnote\n"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _source(name: str, paths: tuple[str, ...] = ("x.yaml",), repository: str = "acme/demo", commit: str = COMMIT) -> Source:
    return Source(name, repository, commit, paths, "upstream-example", "Apache-2.0", "")


# ------------------------------------------------------------------------------ SOURCES.tsv


def test_the_committed_sources_list_at_least_20_sets_with_exact_commits():
    sources = load_sources()
    assert len(sources) >= 20
    assert len({s.repository for s in sources}) >= 10
    assert all(len(s.commit) == 40 and s.paths for s in sources)
    assert {"online-boutique", "otel-demo", "guestbook"} <= {s.name for s in sources}


def test_parse_sources_reads_rows_and_comma_separated_paths():
    text = "# comment\n" + HEADER + f"web\tacme/demo\t{COMMIT}\ta.yaml, dir/\tdemo-app\tMIT\ttwo paths\n"
    [s] = parse_sources(text)
    assert (s.name, s.repository, s.paths, s.kind, s.fetch_source) == ("web", "acme/demo", ("a.yaml", "dir"), "demo-app", "github:acme/demo")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (f"web\tacme/demo\tabc123\ta.yaml\tdemo-app\tMIT\tn", "commit 'abc123' is not 40 lowercase hex digits"),
        (f"web\tacme/demo\t{COMMIT}\ta.yaml\thelm-chart\tMIT\tn", "kind 'helm-chart' is not one of"),
        (f"web\tdemo\t{COMMIT}\ta.yaml\tdemo-app\tMIT\tn", "repository 'demo' is not owner/name"),
        (f"web\tacme/demo\t{COMMIT}\t../etc/passwd\tdemo-app\tMIT\tn", "leaves the repository"),
        (f"web\tacme/demo\t{COMMIT}\ta.yaml\tdemo-app\tMIT", "6 tab-separated columns, want 7"),
    ],
    ids=["short-commit", "unknown-kind", "no-owner", "dot-dot", "columns"],
)
def test_parse_sources_names_the_line_of_a_bad_row(row, message):
    with pytest.raises(SourcesError, match="^SOURCES.tsv:2: ") as exc:
        parse_sources(HEADER + row + "\n")
    assert message in str(exc.value)


# ---------------------------------------------------------------------------------- extract


@pytest.fixture(scope="module")
def mirrors(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``<tmp>/mirrors/acme+demo/repo``: a bare clone of a one-commit repository laid out like an upstream one."""
    base = tmp_path_factory.mktemp("mirror")
    work = base / "work"
    (work / "deploy" / "sub").mkdir(parents=True)
    shutil.copy(EXAMPLES / "web-deployment.yaml", work / "deploy" / "web.yaml")
    shutil.copy(EXAMPLES / "statefulset.yaml", work / "deploy" / "sub" / "sts.yml")
    (work / "deploy" / "kustomization.yaml").write_text("resources: [web.yaml]\n")
    (work / "deploy" / "README.md").write_text("not a manifest\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q", str(work)], check=True)
    subprocess.run([*git, "-C", str(work), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(work), "commit", "-qm", "c"], check=True)
    commit = subprocess.run(["git", "-C", str(work), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(base / "mirrors" / "acme+demo" / "repo")], check=True)
    return base / "mirrors", commit


def test_extract_takes_a_directory_recursively_without_kustomization_files(mirrors, tmp_path):
    root, commit = mirrors
    written = extract(_source("d", ("deploy",), commit=commit), root, tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == ["d/deploy/sub/sts.yml", "d/deploy/web.yaml"]
    assert (tmp_path / "d/deploy/web.yaml").read_bytes() == (EXAMPLES / "web-deployment.yaml").read_bytes()


def test_extract_glob_is_one_level_and_replaces_old_data(mirrors, tmp_path):
    root, commit = mirrors
    (tmp_path / "g" / "stale.yaml").parent.mkdir(parents=True)
    (tmp_path / "g" / "stale.yaml").write_text("old")
    written = extract(_source("g", ("deploy/*.yaml",), commit=commit), root, tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == ["g/deploy/kustomization.yaml", "g/deploy/web.yaml"]
    assert not (tmp_path / "g" / "stale.yaml").exists()


def test_extract_reads_a_mirror_that_is_a_checkout(mirrors, tmp_path):
    # fetch left rabbitmq/diy-kubernetes-examples as <owner>+<name>/repo/.git, not a bare repo
    root, commit = mirrors
    plain = tmp_path / "mirrors" / "acme+plain" / "repo"
    subprocess.run(["git", "clone", "-q", str(root / "acme+demo" / "repo"), str(plain)], check=True)
    src = _source("p", ("deploy/web.yaml",), repository="acme/plain", commit=commit)
    assert mirror_of(src, tmp_path / "mirrors") == plain / ".git"
    [written] = extract(src, tmp_path / "mirrors", tmp_path / "data")
    assert written.read_bytes() == (EXAMPLES / "web-deployment.yaml").read_bytes()


def test_extract_refuses_a_missing_mirror_commit_or_path(mirrors, tmp_path):
    root, commit = mirrors
    with pytest.raises(MirrorMissing, match="no mirror at"):
        extract(_source("m", repository="acme/absent", commit=commit), root, tmp_path)
    with pytest.raises(MirrorMissing):
        extract(_source("m", commit="f" * 40), root, tmp_path)
    with pytest.raises(MirrorMissing, match="matches no manifest file"):
        extract(_source("m", ("deploy/*.json",), commit=commit), root, tmp_path)
    assert not (tmp_path / "m").exists()


@pytest.fixture(scope="module")
def linked_mirrors(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``<tmp>/mirrors/acme+links/repo``: symbolic links as knative/serving has them (``config/`` into ``vendor/``)."""
    base = tmp_path_factory.mktemp("links")
    work = base / "work"
    (work / "vendor" / "lib").mkdir(parents=True)
    (work / "config" / "sub").mkdir(parents=True)
    shutil.copy(EXAMPLES / "web-deployment.yaml", work / "vendor" / "lib" / "web.yaml")
    (work / "config" / "web.yaml").symlink_to("../vendor/lib/web.yaml")
    (work / "config" / "sub" / "chain.yaml").symlink_to("../web.yaml")
    (work / "config" / "out.yaml").symlink_to("../../outside.yaml")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main", "-c", "core.symlinks=true"]
    subprocess.run([*git, "init", "-q", str(work)], check=True)
    subprocess.run([*git, "-C", str(work), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(work), "commit", "-qm", "c"], check=True)
    commit = subprocess.run(["git", "-C", str(work), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(base / "mirrors" / "acme+links" / "repo")], check=True)
    return base / "mirrors", commit


def test_extract_writes_a_symbolic_link_with_its_targets_content(linked_mirrors, tmp_path):
    root, commit = linked_mirrors
    src = Source("l", "acme/links", commit, ("config/web.yaml", "config/sub"), "upstream-example", "Apache-2.0", "")
    written = extract(src, root, tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == ["l/config/web.yaml", "l/config/sub/chain.yaml"]
    web = (EXAMPLES / "web-deployment.yaml").read_bytes()
    assert [p.read_bytes() for p in written] == [web, web]  # not the link text "../vendor/lib/web.yaml"
    assert not any(p.is_symlink() for p in written)


def test_extract_refuses_a_symbolic_link_out_of_the_repository(linked_mirrors, tmp_path):
    root, commit = linked_mirrors
    src = Source("o", "acme/links", commit, ("config/out.yaml",), "upstream-example", "Apache-2.0", "")
    with pytest.raises(MirrorMissing, match="symbolic link out of the repository"):
        extract(src, root, tmp_path)
    assert not (tmp_path / "o").exists()


def test_extract_main_lists_the_missing_sets_and_what_to_fetch(mirrors, tmp_path, capsys):
    root, commit = mirrors
    sources = tmp_path / "SOURCES.tsv"
    sources.write_text(HEADER + f"ok\tacme/demo\t{commit}\tdeploy/web.yaml\tdemo-app\tMIT\t-\n" + f"gone\tacme/absent\t{commit}\tx.yaml\tdemo-app\tMIT\t-\n")
    assert extract_main(["--mirrors", str(root), "--sources", str(sources), "--data", str(tmp_path / "data")]) == 1
    out, err = capsys.readouterr()
    assert "1 of 2 set(s) extracted" in out
    assert "MISSING  gone" in out
    assert "github:acme/absent  (sets: gone)" in err
    assert (tmp_path / "data" / "ok" / "deploy" / "web.yaml").is_file()


# ----------------------------------------------------------------------------------- runner


def test_parse_report_counts_workload_targets_states_and_cuts():
    report = {
        "findings": [
            {"target": "Deployment default/web", "rule_id": "KC-CONV-002", "verdict": "holds"},
            {"target": "Deployment default/web", "rule_id": "KC-ROLL-001", "verdict": "violated"},
            {"target": "StatefulSet db/pg", "rule_id": "KC-STS-001", "verdict": "holds_within_bounds"},
            {"target": "(cluster)", "rule_id": "KC-ROLL-004", "verdict": "violated"},
        ],
        "explorations": [{"states": 200, "bound_hit": "max_states"}, {"states": 67, "bound_hit": None}, {"states": 5, "bound_hit": "timeout"}],
        "settle_cut": "timeout",
        "groups": [{"workloads": ["a"]}, {"workloads": ["b"]}],
    }
    assert parse_report(report) == {
        "workloads": 2, "groups": 2, "states": 272, "cut": ("max_states", "timeout", "settle:timeout"), "violated": ("KC-ROLL-001", "KC-ROLL-004"),
        "info": (),
    }
    assert parse_report({"findings": [], "explorations": []})["groups"] is None  # no field yet: printed as "-"


def test_measure_web_deployment_with_a_small_state_bound():
    r = measure("web", EXAMPLES / "web-deployment.yaml", extra=["--max-states", "200"], cwd=ROOT)
    assert r.exit_code == 3  # rollout cut at 200 states: inconclusive
    assert (r.workloads, r.cut, r.violated, r.error) == (1, ("max_states",), (), None)
    assert r.states is not None and r.states > 200  # the cut rollout search plus the exhaustive pod-crash one
    assert 10 * 2**20 < r.peak_rss < 2**30  # the child's own RSS: a Python process with the model loaded
    assert 0 < r.seconds < 60


def test_measure_records_the_loader_error_of_a_rejected_manifest(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLES / "web-deployment.yaml").read_text().replace("replicas: 3", "replicas: -1"))
    r = measure("bad", bad, cwd=tmp_path)
    assert r.exit_code == 2
    assert r.error is not None and r.error.startswith(f"{bad}:10: spec.replicas: ")
    assert (r.workloads, r.states, r.conclusive) == (None, None, False)


def test_measure_kills_a_run_past_its_hard_timeout():
    r = measure("web", EXAMPLES / "web-deployment.yaml", timeout=0.05, cwd=ROOT)
    assert r.killed and r.exit_code is None and r.workloads is None
    assert r.seconds < 5


def test_run_corpus_table_and_summary_on_a_tiny_corpus(tmp_path):
    data = tmp_path / "data"
    for name, example in (("web", "web-deployment.yaml"), ("rc", "replication-controller.yaml")):
        (data / name).mkdir(parents=True)
        shutil.copy(EXAMPLES / example, data / name / example)
    sources = [_source("web"), _source("rc"), _source("absent")]
    # 400: rc under node-failure (with the operator) is exhaustive in 317 states; web's rollout is cut
    runs, not_run = run_corpus(sources, data=data, extra=["--max-states", "400"], log=lambda *_: None)
    assert not_run == ["absent"]
    assert [(r.name, r.scenarios, r.exit_code, r.workloads) for r in runs] == [
        ("web", "default", 3, 1),
        ("web", "node-failure", 3, 1),
        ("rc", "default", 0, 1),  # ReplicationController: both searches exhaustive
        ("rc", "node-failure", 0, 1),
    ]
    assert all(r.command[r.command.index("check") + 1] == f"data/{r.name}" for r in runs)
    md = markdown(runs, sources, command="python -m bench corpus --check-args '--max-states 400'", not_run=not_run)
    assert "Sets run: 2 of 3 in `bench/corpus/SOURCES.tsv`; not run: absent." in md
    # one workload each: the report's groups list is empty (one search covers the cluster): one group
    assert "| web | upstream-example | default | 1 | 1 | 3 |" in md
    assert "| rc | upstream-example | node-failure | 1 | 1 | 0 |" in md
    assert md.count(" | max_states | - |") == 2  # web: both scenario lists cut, nothing violated
    lines = summary(runs)
    assert lines[0].startswith("**default**: conclusive (exit 0 or 1) 1/2 (50%); exit codes 0: 1, 3: 1;")
    assert lines[1].startswith("**node-failure**: conclusive (exit 0 or 1) 1/2 (50%);")
    doc = tmp_path / "performance.md"
    doc.write_text("# Explorer performance\n")
    write_section(doc, "corpus", "Real-world corpus (generated)", md)
    write_section(doc, "corpus", "Real-world corpus (generated)", md)  # replaced in place, not appended twice
    assert doc.read_text().count("## Real-world corpus (generated)") == 1


def test_an_info_severity_violation_is_marked_in_the_table():
    # KC-NODE-001 (severity info: a StatefulSet pod on a lost node waits for an operator) on an exit-0 run is no
    # violation any exit code counts; a rule violated with info on one target and error on another is not marked
    findings = [{"target": "StatefulSet default/db", "rule_id": "KC-NODE-001", "verdict": "violated", "severity": "info"},
                {"target": "Deployment default/a", "rule_id": "KC-ROLL-004", "verdict": "violated", "severity": "info"},
                {"target": "Deployment default/b", "rule_id": "KC-ROLL-004", "verdict": "violated", "severity": "error"}]
    parsed = parse_report({"findings": findings, "explorations": [{"states": 9}]})
    assert (parsed["violated"], parsed["info"]) == (("KC-NODE-001", "KC-ROLL-004"), ("KC-NODE-001",))
    md = markdown([CorpusRun("db", "node-failure", 0, 1.0, 30 * 2**20, **parsed)], [_source("db")], command="c")
    assert "| 9 | - | KC-NODE-001 (info), KC-ROLL-004 |" in md


def test_markdown_quotes_the_error_line_of_a_rejected_set():
    runs = [CorpusRun("bad", "default", 2, 0.4, 30 * 2**20, error="data/bad/x.yaml:5: spec.replicas: invalid value -1")]
    md = markdown(runs, [_source("bad")], command="c")
    assert "| bad | upstream-example | default | - | - | 2 | 400 ms | 30 MB | - | - | - |" in md
    assert "- bad (default, exit 2): `data/bad/x.yaml:5: spec.replicas: invalid value -1`" in md


def test_the_shown_command_leaves_out_where_the_json_went():
    assert _without_json(["--only", "a", "--json", "/tmp/x.json", "--json=/tmp/y", "--timeout", "9"]) == ["--only", "a", "--timeout", "9"]


def test_bench_dispatches_corpus_and_refuses_an_unknown_set(capsys):
    assert bench_main(["corpus", "--only", "no-such-set", "--no-write"]) == 2
    assert "unknown set(s) no-such-set" in capsys.readouterr().err
