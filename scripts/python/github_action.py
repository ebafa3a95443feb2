"""The run step of the GitHub Action (action.yml): the contract suite with the action's inputs.

The inputs arrive in the environment, where action.yml's `env:` puts them (CONTRACT_BASE_URL,
CONTRACT_SPEC, CONTRACT_REPORT, CONTRACT_ARGS), never in the step's shell text: an input is data, whatever
it holds. The extra arguments are split as a shell splits words (quotes group; nothing is expanded or
run). The suite is the command installed beside this interpreter; its exit status is this script's, and
the step's outputs (exit-code, report) and a line of the job summary are written for what comes after.

Run by the tool's own Python, so the standard library only.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path

EXIT_ERROR = 2  # the suite's own status for "cannot be tested"
RESULT = "RESULT:"  # the suite's last line starts so


class InputError(Exception):
    """An input the suite cannot be run with: a one-line reason."""


def suite_command(env: Mapping[str, str], tool: Path) -> list[str]:
    """The suite's command line for the inputs in `env`."""
    base_url = env.get("CONTRACT_BASE_URL", "").strip()
    if not base_url:
        raise InputError("the base-url input is required: the server under test, e.g. http://localhost:8000")
    command = [str(tool), "--base-url", base_url]
    if env.get("CONTRACT_SPEC"):
        command += ["--spec", env["CONTRACT_SPEC"]]
    if env.get("CONTRACT_REPORT"):
        command += ["--report", env["CONTRACT_REPORT"]]
    try:
        return command + shlex.split(env.get("CONTRACT_ARGS", ""))
    except ValueError as exc:  # an unclosed quote
        raise InputError(f"the args input cannot be split into arguments: {exc}") from None


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as sink:
            sink.write(text)


def _output(name: str, value: str) -> str:
    """One step output in GitHub's multi-line form: a value with a newline cannot set another output."""
    delimiter = f"ghadelimiter_{uuid.uuid4()}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def _run(command: list[str], env: Mapping[str, str]) -> tuple[int, str]:
    """Run the suite, its output passed through as it comes; its status and RESULT line."""
    result = ""
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        env={**env, "PYTHONUNBUFFERED": "1"},
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            if line.startswith(RESULT):
                result = line.strip()
    return process.returncode, result


def main() -> int:
    env = os.environ
    status, result = EXIT_ERROR, ""
    try:
        command = suite_command(env, Path(sys.executable).parent / "assistants-contract")
        print(f"==> {shlex.join(['assistants-contract', *command[1:]])}", flush=True)
        status, result = _run(command, env)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except OSError as exc:  # the install step left no tool where it installs it
        print(f"error: cannot run assistants-contract: {exc.strerror}", file=sys.stderr)
    written = Path(env.get("CONTRACT_REPORT") or os.devnull)
    report = str(written.resolve()) if written.is_file() else ""
    _append(env.get("GITHUB_OUTPUT"), _output("exit-code", str(status)) + _output("report", report))
    verdict = result or f"no result: the server could not be tested (exit status {status}; see the log)"
    _append(env.get("GITHUB_STEP_SUMMARY"), f"### Assistants API contract\n\n{verdict}\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
