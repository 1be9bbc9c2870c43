#!/usr/bin/env bash
# The mypyc evaluation of docs/performance.md ("mypyc (evaluated twice; not part of the build)"), on a
# scratch copy, never on the checkout:
#   docs/mypyc-eval/prepare.sh DIR [all]
# exports 5a0afaa to DIR, applies the edits that make it compile and prints the mypyc command to run in DIR.
# Without "all": the 8 modules of the profile; with "all": the 39 modules of model/ that compile.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="$1"; which="${2:-8}"
py="$here/../../.venv/bin/python"
mkdir -p "$dir"
git -C "$here/../.." archive 5a0afaa | tar -x -C "$dir"
cd "$dir"
mv pyproject.toml pyproject.toml.off   # mypyc's command line runs setup() with the .venv's setuptools 65: it rejects the license string
m8="model/state.py model/canonical.py model/objects.py model/system.py model/apiserver.py kubecheck/core/explorer/_general.py kubecheck/core/judge.py properties/_common.py"
"$py" "$here/mark_nonnative.py" $m8
patch -s -p1 < "$here/hand.patch"
mods="$m8"
if [ "$which" = all ]; then
  rest="model/api.py model/apply.py model/controller_utils.py model/daemon.py model/defaults.py model/deployment.py
        model/deployment_util.py model/disruption.py model/endpoints.py model/environment.py model/errors.py
        model/eviction.py model/garbagecollector.py model/horizontal.py model/informer.py model/kinds.py
        model/kubelet.py model/labels.py model/nodelifecycle.py model/podgc.py model/prober.py model/records.py
        model/replicaset.py model/replication.py model/rollout_status.py model/scheduler.py model/sequence.py
        model/statefulset.py model/statefulset_utils.py model/undo.py model/versions.py"
  "$py" "$here/mark_nonnative.py" $rest
  # labels.py: `__str__ = string` in a class body fails at import once compiled
  "$py" - <<'PY'
p = "model/labels.py"
s = open(p).read()
s = s.replace("\n    __str__ = string\n", "\n    def __str__(self) -> str:\n        return self.string()\n")
open(p, "w").write(s)
PY
  # compiled code checks argument types: the controllers get a ReadTracker where they declare ClusterState
  for f in $m8 $rest; do
    [ "$f" = model/state.py ] && continue
    grep -q -E ': ClusterState\b|Callable\[\[ClusterState' "$f" || continue
    sed -i -E 's/: ClusterState\b/: Any/g; s/Callable\[\[ClusterState/Callable[[Any/g' "$f"
    grep -q "import.*\bAny\b" "$f" || sed -i '0,/^from __future__ import annotations$/s//from __future__ import annotations\nfrom typing import Any/' "$f"
  done
  mods="$m8 $rest"
fi
echo "cd $dir && $here/../../.venv/bin/mypyc" $mods
