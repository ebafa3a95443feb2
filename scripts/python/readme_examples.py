"""Type-checks the Python examples of README.md with mypy --strict.

Each ```python block of the README becomes a module in a temporary folder; mypy checks them all
against the installed generated client, so the README cannot drift from the client's API.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def readme_blocks(readme: Path) -> list[str]:
    return BLOCK.findall(readme.read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="run mypy --strict on the blocks")
    parser.add_argument("--readme", type=Path, default=REPO_ROOT / "README.md")
    args = parser.parse_args()
    blocks = readme_blocks(args.readme)
    if not blocks:
        print(f"no python examples in {args.readme}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for index, block in enumerate(blocks):
            path = Path(tmp) / f"readme_example_{index}.py"
            path.write_text(block, encoding="utf-8")
            paths.append(str(path))
        if not args.check:
            print("\n".join(paths))
            return 0
        result = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *paths], check=False
        )
    print(f"checked {len(blocks)} README examples")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
