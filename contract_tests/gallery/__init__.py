"""A gallery of deliberately broken servers, one defect each, that prove the contract suite has teeth.

`GALLERY` maps a name to the defect and the check expected to catch it; `assistants-contract gallery
NAME` serves one of them (contract_tests/cli.py).
"""

from contract_tests.gallery.servers import GALLERY, BrokenServer

__all__ = ["GALLERY", "BrokenServer"]
