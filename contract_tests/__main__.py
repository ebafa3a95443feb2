"""`python -m contract_tests`: the same as `assistants-contract` (contract_tests/cli.py)."""

import sys

from contract_tests.cli import main

sys.exit(main())
