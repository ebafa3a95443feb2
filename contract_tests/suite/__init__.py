"""The contract suite: checks any create-assistant server against spec/openapi.yaml.

Run it with `make contract` or `python -m contract_tests.suite`; `run_suite()` is the in-process entry.
"""
