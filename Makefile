# kubecheck — the two commands of the README.
#   make demo   run the main job on a bundled example
#   make test   run the whole test suite
# Both create (or reuse) .venv and install what they need.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test test-slow bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,ray]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/kubecheck check examples/violations/single-replica-api.yaml --scenario rollout --out out/demo --report out/demo/report.html || test $$? -eq 1

# Bytecode is written even where the environment sets PYTHONDONTWRITEBYTECODE (an empty value is unset): the
# packages are compiled once up front, and each subprocess a test starts (the console script, fresh
# interpreters, Ray's workers) and each xdist worker reuses it instead of compiling every module again.
test: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(PY) -m compileall -q -j 0 kubecheck model properties traces bench
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n auto --dist loadgroup

# every tier: the tier-2 tests (larger instances) and the KUBECHECK_SLOW cases too (about an hour on 2 cores)
test-slow: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(PY) -m compileall -q -j 0 kubecheck model properties traces bench
	PYTHONDONTWRITEBYTECODE= KUBECHECK_SLOW=1 $(PY) -m pytest -n auto --dist loadgroup

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) -m bench

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
