"""Running a composite GitHub Action's steps here, as a runner would: each `run:` step written to a file
and run with `bash --noprofile --norc -eo pipefail` (GitHub's `shell: bash`), in the workspace, with the
environment a runner gives (GITHUB_ACTION_PATH, RUNNER_TEMP, GITHUB_OUTPUT, ...) and the step's `env:`
evaluated; the steps stop at the first that fails, as GitHub's do.

Only the expressions a safe action needs are evaluated (`inputs.*`, `github.action_path`,
`github.workspace`, `runner.temp`, `steps.<id>.outputs.*`, and a comparison with '' in `if:`); any other
raises, so that a step this runner cannot run faithfully fails the test rather than passing it. A `run:`
with an expression in its text is refused: an input expanded into the script is a shell injection.
A `uses:` step is run by the caller's `uses` map (setup-python: the caller's Python is put on PATH).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
COMPARISON = re.compile(rf"^({NAME}(?:\.{NAME})*)\s*(==|!=)\s*'([^']*)'$")
OUTPUT_LINE = re.compile(rf"^({NAME})=(.*)$")
OUTPUT_HEREDOC = re.compile(rf"^({NAME})<<(.+)$")
STEP_SECONDS = 600


class UnsupportedStep(Exception):
    """A step this runner cannot run as GitHub would."""


@dataclass
class StepRun:
    name: str
    status: int
    stdout: str
    stderr: str


@dataclass
class ActionRun:
    steps: list[StepRun] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""

    @property
    def status(self) -> int:
        """The action's status: the first failing step's, else 0."""
        return next((step.status for step in self.steps if step.status != 0), 0)

    @property
    def log(self) -> str:
        return "".join(f"--- {step.name}\n{step.stdout}{step.stderr}" for step in self.steps)


def load(path: Path) -> dict[str, Any]:
    action: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return action


def read_outputs(path: Path) -> dict[str, str]:
    """The outputs a step wrote to $GITHUB_OUTPUT: `name=value` lines and `name<<DELIMITER` blocks."""
    outputs: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if heredoc := OUTPUT_HEREDOC.match(line):
            name, delimiter = heredoc.groups()
            value: list[str] = []
            for inner in lines:
                if inner == delimiter:
                    break
                value.append(inner)
            else:
                raise UnsupportedStep(f"output {name!r}: no closing {delimiter!r}")
            outputs[name] = "\n".join(value)
        elif single := OUTPUT_LINE.match(line):
            outputs[single.group(1)] = single.group(2)
        elif line.strip():
            raise UnsupportedStep(f"not an output line: {line!r}")
    return outputs


class Context:
    """The values expressions read: inputs, github, runner, and the outputs of the steps run so far."""

    def __init__(self, inputs: Mapping[str, str], action_path: Path, workspace: Path, temp: Path) -> None:
        self.values: dict[str, Any] = {
            "inputs": dict(inputs),
            "github": {"action_path": str(action_path), "workspace": str(workspace)},
            "runner": {"temp": str(temp)},
            "steps": {},
        }

    def lookup(self, dotted: str) -> str:
        parts = dotted.split(".")
        if (
            len(parts) == 4
            and parts[0] == "steps"
            and parts[2] == "outputs"
            and parts[1] in self.values["steps"]
        ):
            return str(self.values["steps"][parts[1]]["outputs"].get(parts[3], ""))  # as GitHub: '' if unset
        found: Any = self.values
        for part in dotted.split("."):
            if not isinstance(found, dict) or part not in found:
                raise UnsupportedStep(f"unknown expression {dotted!r}")
            found = found[part]
        if not isinstance(found, str):
            raise UnsupportedStep(f"expression {dotted!r} is not a value")
        return found

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda match: self.lookup(match.group(1)), text)

    def condition(self, text: str) -> bool:
        expression = EXPRESSION.fullmatch(text.strip())
        inner = expression.group(1) if expression else text.strip()
        compared = COMPARISON.match(inner)
        if not compared:
            raise UnsupportedStep(f"unsupported condition {text!r}")
        name, operator, literal = compared.groups()
        return (self.lookup(name) == literal) == (operator == "==")


def run_action(
    action: Mapping[str, Any],
    inputs: Mapping[str, str],
    *,
    action_path: Path,
    workspace: Path,
    temp: Path,
    env: Mapping[str, str],
    uses: Mapping[str, Callable[[Mapping[str, str]], None]],
) -> ActionRun:
    """Run `action`'s steps with `inputs` (the others at their defaults). `env` is the job's environment
    (PATH, HOME, the secrets the workflow puts there); `uses` runs a `uses:` step, by the action it names
    without its version, given the step's evaluated `with:`."""
    declared = action.get("inputs", {})
    unknown = set(inputs) - set(declared)
    if unknown:
        raise UnsupportedStep(f"inputs the action does not declare: {sorted(unknown)}")
    values = {name: str(spec.get("default", "")) for name, spec in declared.items()} | dict(inputs)
    temp.mkdir(parents=True, exist_ok=True)
    context = Context(values, action_path, workspace, temp)
    steps = action["runs"]["steps"]
    context.values["steps"] = {step["id"]: {"outputs": {}} for step in steps if "id" in step}
    files = {name: temp / f"github-{name}" for name in ("output", "env", "path", "step_summary")}
    run = ActionRun()
    for index, step in enumerate(steps):
        if run.status != 0:
            break
        name = step.get("name", f"step {index}")
        if "if" in step and not context.condition(step["if"]):
            continue
        if "uses" in step:
            runner = uses.get(step["uses"].split("@")[0])
            if runner is None:
                raise UnsupportedStep(f"no runner for `uses: {step['uses']}`")
            runner({key: context.substitute(str(value)) for key, value in step.get("with", {}).items()})
            continue
        if step.get("shell") != "bash":
            raise UnsupportedStep(f"{name}: only `shell: bash` is run here, not {step.get('shell')!r}")
        if EXPRESSION.search(step["run"]):
            raise UnsupportedStep(f"{name}: an expression in `run:` is expanded into the script (injection)")
        for path in files.values():
            path.write_text("", encoding="utf-8")
        script = temp / f"step-{index}.sh"
        script.write_text(step["run"], encoding="utf-8")
        step_env = {
            **env,
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_ACTION_PATH": str(action_path),
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(temp),
            "GITHUB_OUTPUT": str(files["output"]),
            "GITHUB_ENV": str(files["env"]),
            "GITHUB_PATH": str(files["path"]),
            "GITHUB_STEP_SUMMARY": str(files["step_summary"]),
            **{key: context.substitute(str(value)) for key, value in step.get("env", {}).items()},
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=step_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=STEP_SECONDS,
        )
        run.steps.append(StepRun(name, done.returncode, done.stdout, done.stderr))
        run.summary += files["step_summary"].read_text(encoding="utf-8")
        if "id" in step:
            context.values["steps"][step["id"]] = {"outputs": read_outputs(files["output"])}
        if files["env"].read_text(encoding="utf-8") or files["path"].read_text(encoding="utf-8"):
            raise UnsupportedStep(f"{name}: writes to $GITHUB_ENV or $GITHUB_PATH are not carried here")
    run.outputs = {
        name: context.substitute(str(spec.get("value", "")))
        for name, spec in action.get("outputs", {}).items()
    }
    return run
