"""Init containers through the CLI (issue #20 item 4): loaded and modelled, no longer an ignored field.

An init container only delays readiness (the convergence rule holds); one that never completes (a
``:broken`` image) keeps every new pod not Ready, so the Deployment never becomes available.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from pathlib import Path

from click.testing import CliRunner

from kubecheck.cli import cli

from .conftest import FAST

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      initContainers:
      - name: proxy
        image: envoy:1
        restartPolicy: Always
      - name: migrate
        image: {image}
      containers:
      - name: web
        image: nginx:1.27
"""


def _check(tmp_path: Path, image: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "web.yaml"
    path.write_text(MANIFEST.format(image=image))
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    with contextlib.chdir(work):
        return CliRunner().invoke(cli, ["check", str(path), "-s", "pod-crash", "-p", "KC-CONV-002", *FAST],
                                  catch_exceptions=False)


def test_an_init_container_that_completes_only_delays_convergence(tmp_path: Path) -> None:
    r = _check(tmp_path, "migrate:1")
    assert r.exit_code == 0, r.output
    assert re.search(r"HOLDS\s+KC-CONV-002", r.stdout)
    assert "ignored: initContainers" not in r.output


def test_an_init_container_that_never_completes_keeps_the_deployment_unavailable(tmp_path: Path) -> None:
    r = _check(tmp_path, "migrate:broken")
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+KC-CONV-002\s+Deployment default/web", r.stdout)


def test_a_container_restart_policy_on_a_regular_container_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(MANIFEST.format(image="migrate:1").replace("      - name: web\n        image: nginx:1.27\n",
                                                                "      - name: web\n        image: nginx:1.27\n"
                                                                "        restartPolicy: Always\n"))
    r = CliRunner().invoke(cli, ["check", str(path), *FAST], catch_exceptions=False)
    assert r.exit_code == 2
    assert "spec.template.spec.containers[0].restartPolicy: forbidden: may not be set for non-init containers" in r.output
