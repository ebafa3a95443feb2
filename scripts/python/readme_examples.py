"""Type-checks the Python examples of README.md and docs/*.md with mypy --strict.

Each ```python block becomes a module in a temporary folder; mypy checks them all against the installed
generated client and the installed tool, so the docs cannot drift from their APIs.
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
    parser.add_argument("--readme", type=Path, default=None, help="one document (default: README and docs)")
    args = parser.parse_args()
    documents = (
        [args.readme]
        if args.readme
        else [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
    )
    blocks = [block for document in documents for block in readme_blocks(document)]
    if not blocks:
        print(f"no python examples in {', '.join(str(document) for document in documents)}", file=sys.stderr)
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
    print(f"checked {len(blocks)} Python examples of {len(documents)} documents")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
