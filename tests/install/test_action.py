"""The GitHub Action (action.yml) as a workflow runs it: its steps, run by action_runner with the
environment a runner gives, install the tool from the action's checkout (a copy of this working tree's
files) and judge real servers in processes of their own: the reference server passes (0), a broken server
of the gallery fails (1), bad inputs are one line (2). The key comes from the job's environment, as
`env: API_KEY: ${{ secrets.... }}` puts it there, and appears nowhere in what the steps print or write.

GitHub's setup-python step is played by putting this Python first on PATH, as setup-python does.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.api.document import REPO_ROOT
from tests.install import action_runner
from tests.install.action_runner import ActionRun, UnsupportedStep, run_action
from tests.install.fresh_machine import (
    API_KEY,
    bootstrap_uv_version,
    free_port,
    link_python,
    machine_env,
    serving,
)

ACTION = REPO_ROOT / "action.yml"
BROKEN = "accepts_long_strings"  # a gallery server the suite fails on its boundary probes, at any seed
FAST = "--examples 3 --seed 7"
Act = Callable[..., ActionRun]


def checkout_of_this_tree(dest: Path) -> Path:
    """The files a checkout of this repository at this commit holds (tracked and new, not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def setup_python(bin_dir: Path) -> Callable[[Mapping[str, str]], None]:
    """actions/setup-python, played here: the asked-for Python first on PATH as python and python3."""
    return lambda with_: link_python(bin_dir, with_["python-version"])


@pytest.fixture(scope="module")
def act(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Act]:
    """Runs the action with some inputs in a workspace. One runner for the module: the first run installs
    the tool, the later ones find it installed (their install step runs again, and must not fail)."""
    root = tmp_path_factory.mktemp("runner")
    action_path = checkout_of_this_tree(root / "action")
    before = snapshot(action_path)
    python_bin = root / "setup-python"  # empty until the action's setup-python step
    python_bin.mkdir()
    env = machine_env(python_bin) | {"API_KEY": API_KEY}  # as the workflow's `env:` puts it

    def run(workspace: Path, **inputs: str) -> ActionRun:
        return run_action(
            action_runner.load(ACTION),
            {name.replace("_", "-"): value for name, value in inputs.items()},
            action_path=action_path,
            workspace=workspace,
            temp=root / "temp",
            env=env,
            uses={"actions/setup-python": setup_python(python_bin)},
        )

    yield run
    assert snapshot(action_path) == before, "the action wrote into its own checkout"


def assert_key_absent(run: ActionRun, *files: Path) -> None:
    """The key is nowhere in the steps' output, the action's outputs, its summary or the files named."""
    written = [path.read_text(encoding="utf-8") for path in files if path.is_file()]
    for text in (run.log, run.summary, *run.outputs.values(), *written):
        assert API_KEY not in text, f"the key appears in: {text[max(0, text.find(API_KEY) - 300) :][:600]}"


def test_a_conforming_server_passes(act: Act, tmp_path: Path) -> None:
    with serving("assistants-reference-server") as url:
        run = act(tmp_path, base_url=url, args=f"{FAST} --header 'X-Contract-Trial: one value'")
    report = tmp_path / "reports" / "contract.xml"  # the input's default, relative to the workspace
    assert run.status == 0, run.log[-4000:]
    assert run.outputs == {"exit-code": "0", "report": str(report)}, run.outputs
    assert "<testsuite" in report.read_text(encoding="utf-8")
    assert "<failure" not in report.read_text(encoding="utf-8")
    assert "RESULT: PASS" in run.summary, run.summary
    # The args input split as a shell splits words: the quoted header is one argument.
    assert "--header 'X-Contract-Trial: one value'" in run.log, run.log[-3000:]
    assert_key_absent(run, report)


def test_a_broken_server_fails_with_the_suites_status(act: Act, tmp_path: Path) -> None:
    with serving("assistants-contract", "gallery", BROKEN) as url:
        run = act(tmp_path, base_url=url, args=FAST, report="out/junit.xml")
    report = tmp_path / "out" / "junit.xml"
    assert run.status == 1, run.log[-4000:]
    assert run.outputs == {"exit-code": "1", "report": str(report)}, run.outputs
    assert "<failure" in report.read_text(encoding="utf-8")
    assert "FAILED invalid_body_rejected" in run.log and "RESULT: FAIL" in run.summary
    assert_key_absent(run, report, *report.parent.rglob("*"))


def test_inputs_are_data_not_shell(act: Act, tmp_path: Path) -> None:
    """Inputs that a shell would run, were they expanded into a script: each is an argument as it is.
    The steps run in the workspace, where `touch ran` would leave its file."""
    hostile = "$(touch ran)`touch ran`"
    with serving("assistants-reference-server") as url:
        run = act(tmp_path, base_url=url, args=FAST, report=f"reports/{hostile}.xml")
        assert run.status == 0, run.log[-4000:]
        assert (tmp_path / "reports" / f"{hostile}.xml").is_file()
        run = act(tmp_path, base_url=f'{url}/"; touch ran; echo "', args=f"--seed 7; touch ran; {hostile}")
    assert run.status == 2, run.log[-4000:]
    assert "unrecognized arguments: touch ran" in run.log, run.log[-2000:]
    assert not (tmp_path / "ran").exists(), "an input was run as a command"
    assert_key_absent(run)


def test_bad_inputs_are_one_line_errors(act: Act, tmp_path: Path) -> None:
    for inputs, error in (
        ({"base_url": ""}, "error: the base-url input is required"),
        ({"base_url": "http://127.0.0.1:9", "args": "--header 'unclosed"}, "error: the args input cannot"),
        ({"base_url": f"http://127.0.0.1:{free_port()}"}, "error: cannot reach"),
    ):
        run = act(tmp_path, **inputs)
        assert run.status == 2, run.log[-3000:]
        assert run.outputs == {"exit-code": "2", "report": ""}, run.outputs
        last = run.steps[-1]
        assert last.stderr.startswith(error) and last.stderr.count("\n") == 1, last.stderr[-2000:]
        assert "no result" in run.summary.splitlines()[-1], run.summary


def test_the_runner_sees_a_failing_step_and_a_leaked_key(tmp_path: Path) -> None:
    """The checks above can fail: a step that exits 3 after printing the key is seen as both, and a
    script with an input expanded into it is refused."""
    leaky: dict[str, Any] = {
        "inputs": {"name": {"default": "x"}},
        "runs": {
            "steps": [
                {"shell": "bash", "run": 'echo "key: $API_KEY"; exit 3'},
                {"shell": "bash", "run": "echo never run"},
            ]
        },
    }
    run = run_action(
        leaky,
        {},
        action_path=tmp_path,
        workspace=tmp_path,
        temp=tmp_path / "t",
        env={"API_KEY": API_KEY, "PATH": os.environ["PATH"]},
        uses={},
    )
    assert run.status == 3 and len(run.steps) == 1
    with pytest.raises(AssertionError, match="the key appears"):
        assert_key_absent(run)
    leaky["runs"]["steps"] = [{"shell": "bash", "run": "echo ${{ inputs.name }}"}]
    with pytest.raises(UnsupportedStep, match="injection"):
        run_action(leaky, {}, action_path=tmp_path, workspace=tmp_path, temp=tmp_path / "t", env={}, uses={})


def test_the_action_installs_with_the_bootstraps_uv_and_takes_no_secret_as_input() -> None:
    action = action_runner.load(ACTION)
    versions = {
        step["env"]["UV_VERSION"] for step in action["runs"]["steps"] if "UV_VERSION" in step.get("env", {})
    }
    assert versions == {bootstrap_uv_version()}
    secretive = [name for name in action["inputs"] if re.search(r"key|token|secret|password", name, re.I)]
    assert not secretive, f"inputs are logged: a secret must come through the environment, not {secretive}"


def test_the_readme_uses_the_actions_own_inputs() -> None:
    """The README's workflow gives only inputs action.yml declares, and the key through `env:`."""
    blocks = re.findall(
        r"^```yaml\n(.*?)^```", (REPO_ROOT / "README.md").read_text(), re.DOTALL | re.MULTILINE
    )
    steps = [
        step
        for block in blocks
        if isinstance(workflow := yaml.safe_load(block), dict)
        for job in workflow.get("jobs", {}).values()
        for step in job.get("steps", [])
        if str(step.get("uses", "")).split("@")[0].endswith("/assistants-contract")
    ]
    assert steps, "the README shows no workflow using the action"
    declared = action_runner.load(ACTION)["inputs"]
    for step in steps:
        assert set(step.get("with", {})) <= set(declared), step
        assert "base-url" in step["with"]
        assert "secrets." in step.get("env", {}).get("API_KEY", ""), step
