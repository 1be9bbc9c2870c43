"""``python -m bench [all | spin-rsk | spin-rollout | scenario NAME | scenarios-all | rsk | z3 | model | corpus] [options]`` (no argument: ``all``).

* ``rsk [--k K] [--symmetry-only]``: RS-K in our explorer only, one line per run (the original benchmark).
* ``spin-rsk [--k 3..10] [--no-write]``: RS-K in our explorer (symmetry off/on) and SPIN, with equal state
  counts asserted; writes the table to docs/performance.md and plots to docs/img/.
* ``spin-rollout [--sizes 1..4] [--crashes 0,1,2] [--spin-sizes 3..10] [--diff] [--no-write]``: scenario (b),
  the Deployment rolling update, in our explorer (symmetry off/on) and in SPIN on its Promela twin
  (bench/spin/rollout_gen.py), equal state counts asserted; writes its section of docs/performance.md
  (bench/spin_rollout.py; not part of ``all``: the recorded table took about 18 minutes).
* ``scenario NAME [--sizes 1..3] [--variants V,..] [--crashes 0,1] [--timeout S] [--max-memory MiB]``: one
  Kubernetes scenario grid of bench/scenarios.py (every variant x crash count, symmetry off and on, at
  growing R until a run is cut); prints the tables.
* ``scenarios-all [--no-write] [--json F | --from-json F]``: every scenario grid; writes the "Kubernetes
  scenarios" section of docs/performance.md and docs/img/perf-scenarios-*.png.
* ``all [--no-write]``: spin-rsk plus scenarios-all; writes docs/performance.md and docs/img/perf-*.png.
* ``z3 [--repeat N]``: the Z3 rollout proofs for replicas 1..10,000 (bench/z3_rollout.py).
* ``model [throughput | targets ...]``: the Kubernetes model's hot path and the issue targets
  (bench/model_perf.py).
* ``por [--timeout S] [--only NAME,..] [--no-write]``: partial-order reduction, states and time with and without
  it on groups of 2-4 Deployments behind one Service and the web example; writes its section of
  docs/performance.md (bench/por_bench.py; not part of ``all``).
* ``corpus [--only NAME,..] [--timeout S] [--jobs N] [--no-write]``: the default ``kubecheck check`` (and
  ``-s node-failure``) on every real-world manifest set of bench/corpus/SOURCES.tsv, extracted first by
  ``python -m bench.corpus.extract``; writes its section of docs/performance.md (bench/corpus/run.py; not
  part of ``all``).
* ``loader [--list N,..] [--stream N,..] [--no-write]``: manifest loading time and peak memory against input
  size (a List of up to 10,000 ConfigMaps / 10 MB, Deployment streams, hostile inputs); writes its section of
  docs/performance.md (bench/loader_bench.py; not part of ``all``).
* ``mutation [--only NAME,..] [--jobs N] [--timeout S] [--no-write]``: every seeded bug of
  tests/mutation/mutants.py through ``kubecheck check`` on realistic manifests; writes docs/mutation.json,
  which ``python -m properties --markdown`` renders into docs/properties.md (bench/mutation.py; not part of
  ``all``).
* ``fuzz [--n 100000] [--seed S] [--jobs N] [--limit S] [--cli 200] [--show I] [--no-write]``: the loader fuzzer
  (mutated examples/ and corpus manifests, hostile YAML): refused / accepted / hangs / crashes / errors without a
  line, plus a sample through the CLI; writes its section of docs/fuzz.md (bench/manifest_fuzz.py; not part of
  ``all``).
"""

from __future__ import annotations

import sys

BENCHMARKS = ("all", "por", "spin-rsk", "spin-rollout", "scenario", "scenarios-all", "rsk", "z3", "model", "corpus", "loader", "mutation",
              "fuzz")


def main(argv: list[str]) -> int:
    if not argv:
        argv = ["all"]
    if argv[0] not in BENCHMARKS:
        print(f"usage: python -m bench {{{','.join(BENCHMARKS)}}} [options]", file=sys.stderr)
        return 2
    if argv[0] == "rsk":
        from bench.rsk import main as rsk_main

        return rsk_main(argv[1:])
    if argv[0] == "z3":
        from bench.z3_rollout import main as z3_main

        return z3_main(argv[1:])
    if argv[0] == "spin-rollout":
        from bench.spin_rollout import main as spin_rollout_main

        return spin_rollout_main(argv[1:])
    if argv[0] == "model":
        from bench.model_perf import main as model_main

        return model_main(argv[1:])
    if argv[0] == "por":
        from bench.por_bench import main as por_main

        return por_main(argv[1:])
    if argv[0] == "corpus":
        from bench.corpus.run import main as corpus_main

        return corpus_main(argv[1:])
    if argv[0] == "mutation":
        from bench.mutation import main as mutation_main

        return mutation_main(argv[1:])
    if argv[0] == "loader":
        from bench.loader_bench import main as loader_main

        return loader_main(argv[1:])
    if argv[0] == "fuzz":
        from bench.manifest_fuzz import main as fuzz_main

        return fuzz_main(argv[1:])
    from bench.runner import main as runner_main

    return runner_main(argv[0], argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
