#!/usr/bin/env bash
# The PyPy evaluation of docs/performance.md ("PyPy 3.11 (evaluated in session 14; not part of the build)"), issue #17:
#   docs/pypy-eval/prepare.sh DIR
# puts PyPy 3.11 (Debian trixie's pypy3 7.3.19) and kubecheck's run-time dependencies under DIR, without
# touching the system, and prints how to run kubecheck and the benchmarks with it.
#
# Why so: this machine runs Debian 12 (bookworm), whose pypy3 is 7.3.11 = Python 3.9 (kubecheck needs 3.11),
# and trixie's pypy3 needs glibc >= 2.38 (bookworm has 2.36). Only the package registries are reachable, so the
# trixie .debs (pypy3, pypy3-lib, and the C libraries it links, glibc among them) are unpacked into DIR and
# pypy3.11 is started through trixie's own dynamic loader with --library-path (and --argv0, so that sys.executable is
# the wrapper and the benchmarks' child interpreters start the same way): nothing on the system changes.
# On a machine with a PyPy 3.11 of its own (Debian 13, Ubuntu 25.04+, Fedora, Homebrew, conda-forge, uv python
# install pypy@3.11) none of this is needed: pip install '.[test]' into its venv.
#
# The dependencies come from PyPI as pp311 or pure-Python wheels (`pip install --target` with the PyPy tags),
# installed by the CPython of .venv: z3-solver's wheel is py3-none (ctypes, loads libz3.so under PyPy too);
# rpds-py (jsonschema's) has a pp311 wheel; PyYAML has none, so its pure-Python package is copied out of the
# sdist (yaml.CSafeLoader is then absent; the loader falls back to the pure SafeLoader, as on a CPython without
# libyaml); Hypothesis is pinned to 6.140.0, the newest tried whose wheel has no native module (newer ones ship
# a .so built for a later PyPy ABI: "undefined symbol: PyPyModule_FromDefAndSpec2" under 7.3.19).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="$(mkdir -p "$1" && cd "$1" && pwd)"
py="${PYTHON:-$here/../../.venv/bin/python}"   # any CPython with pip: it only downloads
mirror="http://deb.debian.org/debian"
mkdir -p "$dir/debs" "$dir/root" "$dir/site" "$dir/sdist"
curl -sf -m 300 -o "$dir/Packages.xz" "$mirror/dists/trixie/main/binary-amd64/Packages.xz"
xz -dcf "$dir/Packages.xz" > "$dir/Packages"
for p in pypy3 pypy3-lib libc6 libssl3t64 libexpat1 libffi8 libgdbm6t64 liblzma5 libncursesw6 libtinfo6 \
         libsqlite3-0 zlib1g libbz2-1.0 libgcc-s1 libstdc++6 libzstd1; do
  f=$(awk -v P="$p" '$0=="Package: "P{f=1} f&&/^Filename:/{print $2; exit}' "$dir/Packages")
  curl -sf -m 300 -o "$dir/debs/$(basename "$f")" "$mirror/$f"
  dpkg-deb -x "$dir/debs/$(basename "$f")" "$dir/root"
done
cat > "$dir/pypy3" <<EOF
#!/bin/sh
exec "$dir/root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" --library-path "$dir/root/usr/lib/x86_64-linux-gnu" --argv0 "$dir/pypy3" "$dir/root/usr/bin/pypy3.11" "\$@"
EOF
chmod +x "$dir/pypy3"
tags=(--python-version 3.11 --implementation pp --abi pypy311_pp73 --platform manylinux2014_x86_64
      --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 --only-binary=:all:)
"$py" -m pip install -q --target "$dir/site" "${tags[@]}" z3-solver networkx graphviz click tqdm jsonschema pytest
"$py" -m pip install -q --no-deps --target "$dir/site" "${tags[@]}" 'hypothesis==6.140.0' sortedcontainers attrs
"$py" -m pip download -q --no-deps --no-binary :all: 'PyYAML==6.0.4' -d "$dir/sdist"
tar -xzf "$dir/sdist/pyyaml-6.0.4.tar.gz" -C "$dir/sdist"
cp -r "$dir/sdist/pyyaml-6.0.4/lib/yaml" "$dir/site/"
"$dir/pypy3" -c 'import sys; print(sys.version.replace("\n", " "))'
cat <<EOF
Run from the repository root (the checkout's code first on the path, then DIR/site):
  PYTHONPATH=\$PWD:$dir/site $dir/pypy3 -m kubecheck.cli check examples/web-deployment.yaml -s rollout -j 1 --timeout 0 -q
  PYTHONPATH=\$PWD:$dir/site $dir/pypy3 -m bench model issue17 --cli --timeout 60
  PYTHONPATH=\$PWD:$dir/site $dir/pypy3 -m pytest -p no:randomly -p no:cacheprovider -q tests/model/test_golden_counts.py
EOF
