"""Entry point: python -m contract_tests.compat (see cli.py)."""

import sys

from contract_tests.compat.cli import main

sys.exit(main())
