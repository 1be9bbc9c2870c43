"""Benchmarks for kubecheck's engines (``python -m bench <name>``)."""
