"""The pytest entry of the contract suite (registered through the `pytest11` entry point)."""
