"""Entry point of `python -m contract_tests.suite` (see contract_tests/suite/cli.py)."""

import sys

from contract_tests.suite.cli import main

sys.exit(main())
