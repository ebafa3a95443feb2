"""What the judging mock and the validating proxy share as commands: the environment a client's command
finds them in, where their reproductions keep bodies, and running that command."""

from __future__ import annotations

import atexit
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from contract_tests.api.model import Api


def version_prefix(api: Api) -> str:
    """What an SDK's base URL adds to the server's root: the spec's base path (`/v1`), else the version
    segment every path starts with (`/v1/assistants`: `/v1`), else nothing."""
    if api.base_path:
        return api.base_path
    firsts = {op.path.split("/")[1] for op in api.operations if op.path.count("/") > 1}
    if len(firsts) == 1:
        (first,) = firsts
        if re.fullmatch(r"v\d+(\.\d+)?\w*", first):
            return f"/{first}"
    return ""


def client_environment(api: Api, root: str, key: str) -> dict[str, str]:
    """The environment a client's command finds the server in, as the official SDKs read it."""
    return {
        "BASE_URL": root,
        "API_KEY": key,
        "OPENAI_BASE_URL": root + version_prefix(api),
        "OPENAI_API_KEY": key,
    }


def scratch_dir(report: str | None) -> Path:
    """Where reproductions keep long bodies: next to the report, else a private folder removed at exit.

    The folder is only named here: the first body written makes it (private, 0700), so a run that writes
    none leaves nothing, even where the process ends without running its exit handlers (a test worker)."""
    if report:
        return Path(report).parent / "contract-bodies"
    named = Path(tempfile.gettempdir()) / f"contract-bodies-{secrets.token_hex(8)}"
    atexit.register(shutil.rmtree, named, True)
    return named


def split_command(argv: list[str]) -> tuple[list[str], list[str]]:
    if "--" in argv:
        at = argv.index("--")
        return argv[:at], argv[at + 1 :]
    return argv, []


def run_command(command: list[str], env: dict[str, str]) -> int:
    try:
        return subprocess.run(command, env={**os.environ, **env}, check=False).returncode
    except FileNotFoundError:
        print(f"error: cannot run {command[0]!r}: no such command", file=sys.stderr)
        return 127
