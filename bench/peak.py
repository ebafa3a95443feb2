"""`python -m bench.peak COMMAND ...`: run COMMAND, then print its peak resident memory as the last line of
the output (the largest of it and the descendants it waited for), for `peak_mib` to read; exit as it did.
A wrapper of its own, so that the figure is that command's alone, not the bench's other children's."""

from __future__ import annotations

import re
import resource
import subprocess
import sys

MARK = "bench-peak-rss-kib: "
_FOUND = re.compile(rf"^{MARK}(\d+)$", re.MULTILINE)


def peak_mib(output: str) -> float:
    """The peak this wrapper printed in `output`, in MiB; NaN when it printed none (killed first)."""
    found = _FOUND.findall(output)
    return int(found[-1]) / 1024 if found else float("nan")


def main(command: list[str]) -> int:
    code = subprocess.run(command, check=False).returncode
    sys.stdout.flush()
    print(f"{MARK}{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
