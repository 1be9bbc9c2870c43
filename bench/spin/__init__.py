"""SPIN side of the benchmarks: Promela generators (``gen``) and the compile-run-parse driver (``driver``)."""
