"""The Dockerfile as BuildKit reads it (the `dockerfile` package wraps BuildKit's own parser), and a replay
of a stage's WORKDIR, ARG, ENV, COPY and RUN instructions outside Docker, for machines with no Docker
daemon: each path of the image is taken under a root folder here (/opt/x is ROOT/opt/x, in ENV values
too), the build context is the files .dockerignore lets through (docker-py's reading of it), and each RUN
is run by /bin/sh -c as Docker runs a shell-form RUN, with the stage's ARG and ENV values in its
environment. Only what a replay can do faithfully is accepted; anything else raises.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dockerfile
from docker.utils.build import exclude_paths

VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
RUN_SECONDS = 600


class ReplayError(Exception):
    """An instruction the replay cannot carry out as Docker would, or one that failed."""


@dataclass
class Instruction:
    command: str  # upper case: RUN, COPY, ...
    arguments: tuple[str, ...]
    flags: tuple[str, ...]
    exec_form: bool  # ["a", "b"] rather than a shell string
    line: int


@dataclass
class Stage:
    base: str  # the FROM image, its ARGs substituted
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, command: str) -> list[Instruction]:
        return [each for each in self.instructions if each.command == command]

    def variables(self, global_args: Mapping[str, str]) -> dict[str, str]:
        """The ARG and ENV values every instruction of the stage sees (all of them: the replay's)."""
        found: dict[str, str] = {}
        for each in self.instructions:
            if each.command == "ARG":
                for declared in each.arguments:
                    name, has_default, default = declared.partition("=")
                    found[name] = default if has_default else global_args.get(name, "")
            elif each.command == "ENV":
                pairs = each.arguments
                for name, value in zip(pairs[::2], pairs[1::2], strict=True):
                    found[name] = substitute(value, found)
        return found


@dataclass
class Recipe:
    global_args: dict[str, str]
    stages: list[Stage]

    def stage(self, name: str) -> Stage:
        return next(stage for stage in self.stages if stage.name == name)

    @property
    def final(self) -> Stage:
        return self.stages[-1]


def substitute(text: str, values: Mapping[str, str]) -> str:
    """`$NAME` and `${NAME}` as Docker replaces them in instructions (unknown: empty)."""
    if re.search(r"\$\{[^}]*[:+?-]", text):
        raise ReplayError(f"a ${{NAME:...}} form is not replayed: {text}")
    return VARIABLE.sub(lambda match: values.get(match.group(1) or match.group(2), ""), text)


def read(path: Path) -> Recipe:
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    parsed: Any
    for parsed in dockerfile.parse_file(str(path)):
        command = parsed.cmd.upper()
        if command == "FROM":
            words = parsed.value
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(substitute(words[0], global_args), name))
        elif not stages:
            if command != "ARG":
                raise ReplayError(f"line {parsed.start_line}: only ARG may come before the first FROM")
            for declared in parsed.value:
                name, _, default = declared.partition("=")
                global_args[name] = default
        else:
            stages[-1].instructions.append(
                Instruction(command, tuple(parsed.value), tuple(parsed.flags), parsed.json, parsed.start_line)
            )
    return Recipe(global_args, stages)


def context_files(root: Path) -> list[str]:
    """The files `docker build root` sends: those its .dockerignore does not leave out."""
    ignore = root / ".dockerignore"
    lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.is_file() else []
    # docker-py's own reading of the file (docker/api/build.py): stripped, no blanks, no comments.
    patterns = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
    return sorted(name for name in exclude_paths(str(root), patterns) if (root / name).is_file())


def make_context(root: Path, dest: Path) -> Path:
    for name in context_files(root):
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, dest / name)
    return dest


@dataclass
class Replay:
    """A stage replayed under `root`: image path /p is root/p."""

    root: Path
    context: Path
    env: dict[str, str]  # the machine's environment the RUNs start from (PATH, HOME, ...)
    workdir: str = "/"
    variables: dict[str, str] = field(default_factory=dict)
    logs: list[str] = field(default_factory=list)

    def here(self, image_path: str) -> Path:
        absolute = image_path if image_path.startswith("/") else f"{self.workdir.rstrip('/')}/{image_path}"
        return self.root / absolute.lstrip("/")

    def _rooted(self, value: str) -> str:
        """An ENV value that is an absolute path names a place in the image: here, under the root."""
        if value.startswith("/") and ":" in value:
            raise ReplayError(f"a list of paths in ENV is not replayed: {value}")
        return str(self.here(value)) if value.startswith("/") else value

    def stage(self, stage: Stage, global_args: Mapping[str, str]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        for each in stage.instructions:
            handler = getattr(self, f"_{each.command.lower()}", None)
            if handler is None:
                raise ReplayError(f"line {each.line}: {each.command} is not replayed")
            handler(each, global_args)

    def _arg(self, each: Instruction, global_args: Mapping[str, str]) -> None:
        for declared in each.arguments:
            name, has_default, default = declared.partition("=")
            self.variables[name] = default if has_default else global_args.get(name, "")

    def _env(self, each: Instruction, _: Mapping[str, str]) -> None:
        pairs = each.arguments
        for name, value in zip(pairs[::2], pairs[1::2], strict=True):
            self.variables[name] = self._rooted(substitute(value, self.variables))

    def _workdir(self, each: Instruction, _: Mapping[str, str]) -> None:
        (path,) = each.arguments
        self.workdir = substitute(path, self.variables)
        self.here(self.workdir).mkdir(parents=True, exist_ok=True)

    def _copy(self, each: Instruction, _: Mapping[str, str]) -> None:
        if each.flags:
            raise ReplayError(f"line {each.line}: COPY {' '.join(each.flags)} is not replayed")
        *sources, target = (substitute(word, self.variables) for word in each.arguments)
        dest = self.here(target)
        for source in sources:
            if re.search(r"[*?\[]", source):
                raise ReplayError(f"line {each.line}: a pattern in COPY is not replayed: {source}")
            found = self.context / source
            if not found.exists():
                raise ReplayError(f"line {each.line}: COPY {source}: not in the build context")
            if found.is_dir():  # its contents, into the destination folder
                shutil.copytree(found, dest, dirs_exist_ok=True)
            else:
                into = target.endswith("/") or len(sources) > 1
                (dest if into else dest.parent).mkdir(parents=True, exist_ok=True)
                shutil.copy2(found, dest / found.name if into else dest)

    def _run(self, each: Instruction, _: Mapping[str, str]) -> None:
        if each.flags or each.exec_form:
            raise ReplayError(f"line {each.line}: only a shell-form RUN with no flags is replayed")
        (script,) = each.arguments
        done = subprocess.run(
            ["/bin/sh", "-c", script],
            cwd=self.here(self.workdir),
            env={**self.env, **self.variables},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=RUN_SECONDS,
        )
        self.logs.append(f"RUN {script}\n{done.stdout}{done.stderr}")
        if done.returncode != 0:
            raise ReplayError(f"line {each.line}: RUN exited {done.returncode}:\n{done.stderr[-3000:]}")
