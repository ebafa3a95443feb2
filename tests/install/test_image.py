"""The container image (Dockerfile, .dockerignore).

Where a Docker daemon runs, the image is built and run: --help, the suite against a conforming and a
broken server of the host, the reference server by its own entrypoint, the user it runs as, its size.
Where none does (`docker info` fails, as on this project's machines), that test says it is skipped, and
the rest is checked without a daemon: the Dockerfile as BuildKit's parser reads it (a slim Python base,
a non-root user, an ENTRYPOINT the package installs, no key in the image), the build context its
.dockerignore lets through, and the build stage's own steps replayed into a folder here (image_recipe),
their install then run as the image runs it, through the final stage's PATH and ENTRYPOINT.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import tomllib
import uuid
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from contract_tests.api.document import REPO_ROOT
from tests.install import image_recipe
from tests.install.fresh_machine import API_KEY, bootstrap_uv_version, link_python, machine_env, serving

RECIPE = image_recipe.read(REPO_ROOT / "Dockerfile")
PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
SLIM_PYTHON = re.compile(r"^python:(?P<version>3\.\d+)(\.\d+)?-slim(-[a-z]+)?$")
BROKEN = "accepts_long_strings"  # a gallery server the suite fails on its boundary probes, at any seed
# A conforming server passes (0), a broken one fails (1).
SERVERS = ((["assistants-reference-server"], 0), (["assistants-contract", "gallery", BROKEN], 1))
UV = REPO_ROOT / ".tools" / "bin" / "uv"
CONTEXT_BYTES = 4_000_000
IMAGE_BYTES = 450_000_000


def build_stage() -> image_recipe.Stage:
    return RECIPE.stage("build")


def venv_path() -> str:
    """Where the build stage installs the tool: the venv the final stage copies whole."""
    return build_stage().variables(RECIPE.global_args)["UV_PROJECT_ENVIRONMENT"]


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900)


def test_the_base_is_a_slim_python_image_of_a_supported_version() -> None:
    bases = {stage.base for stage in RECIPE.stages}
    # One base for both stages: the venv copied from the first runs on the second's interpreter.
    assert len(bases) == 1, bases
    (base,) = bases
    slim = SLIM_PYTHON.match(base)
    assert slim, f"{base} is not a slim Python image (python:3.X-slim...)"
    assert f"{slim['version']}.0" in SpecifierSet(PROJECT["requires-python"]), base


def test_the_image_runs_as_a_user_that_is_not_root() -> None:
    users = RECIPE.final.all("USER")
    assert users, "the final stage sets no USER: the image would run as root"
    uid, _, gid = users[-1].arguments[0].partition(":")
    # Numeric, so that a cluster's runAsNonRoot can check it.
    assert uid.isdigit() and int(uid) != 0, uid
    assert not gid or (gid.isdigit() and int(gid) != 0), gid
    made = [shlex.split(run.arguments[0]) for run in RECIPE.final.all("RUN")]
    assert any(
        "useradd" in words and words[words.index("--uid", words.index("useradd")) + 1] == uid
        for words in made
        if "--uid" in words
    ), f"no RUN of the final stage creates the user {uid} (useradd --uid {uid})"


def test_the_entrypoint_is_a_command_the_package_installs_on_the_images_path() -> None:
    (entrypoint,) = RECIPE.final.all("ENTRYPOINT")
    # The exec form: `docker run IMAGE ARGS` appends ARGS, and the command is PID 1 (signals reach it).
    assert entrypoint.exec_form, 'ENTRYPOINT must be the exec form: ["command"]'
    assert entrypoint.arguments[0] in PROJECT["scripts"], entrypoint.arguments
    venv = venv_path()
    copies = [(copy.flags, copy.arguments) for copy in RECIPE.final.all("COPY")]
    assert copies == [((f"--from={build_stage().name}",), (venv, venv))], (
        "the final stage must copy the build stage's venv alone, to the same path (a venv cannot move)"
    )
    path = RECIPE.final.variables(RECIPE.global_args)["PATH"]
    assert path.split(":")[0] == f"{venv}/bin", path


def test_no_key_is_built_into_the_image() -> None:
    for stage in RECIPE.stages:
        for each in stage.all("ENV") + stage.all("ARG"):
            names = each.arguments[::2] if each.command == "ENV" else each.arguments
            for name in names:
                assert not re.search(r"KEY|TOKEN|SECRET|PASSWORD", name.split("=")[0], re.I), (
                    f"line {each.line}: {name}: the key comes from `docker run -e API_KEY`, never the image"
                )


def test_the_build_installs_with_the_bootstraps_uv_from_the_lock_file() -> None:
    variables = build_stage().variables(RECIPE.global_args)
    assert variables["UV_VERSION"] == bootstrap_uv_version()
    syncs = [run.arguments[0] for run in build_stage().all("RUN") if " sync " in run.arguments[0]]
    assert syncs and all("--frozen" in sync and "--no-default-groups" in sync for sync in syncs), syncs


def test_the_build_context_is_what_the_dockerfile_copies() -> None:
    sent = image_recipe.context_files(REPO_ROOT)
    sources = [
        word
        for stage in RECIPE.stages
        for copy in stage.all("COPY")
        if not copy.flags
        for word in copy.arguments[:-1]
    ]

    def under(name: str, source: str) -> bool:
        return name == source or name.startswith(source.rstrip("/") + "/")

    for source in sources:
        assert any(under(name, source) for name in sent), f"COPY {source}: left out by .dockerignore"
    # Docker sends these two whatever .dockerignore says (docker-py's exclude_paths keeps them too).
    unused = [
        name
        for name in sent
        if name not in ("Dockerfile", ".dockerignore") and not any(under(name, source) for source in sources)
    ]
    assert not unused, f"sent to the daemon and never copied: {unused[:20]}"
    size = sum((REPO_ROOT / name).stat().st_size for name in sent)
    print(f"build context: {len(sent)} files, {size} bytes")
    assert size < CONTEXT_BYTES, size


@pytest.fixture(scope="module")
def image_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build stage replayed: the image's paths under this folder, its python this one."""
    work = tmp_path_factory.mktemp("image")
    python_bin = work / "base-python"  # what the python base image has on its PATH
    link_python(python_bin, SLIM_PYTHON.match(build_stage().base)["version"])  # type: ignore[index]
    replay = image_recipe.Replay(
        root=work / "root",
        context=image_recipe.make_context(REPO_ROOT, work / "context"),
        env=machine_env(python_bin),
    )
    try:
        replay.stage(build_stage(), RECIPE.global_args)
    except image_recipe.ReplayError as exc:
        pytest.fail(f"the Dockerfile's build stage failed: {exc}\n" + "\n".join(replay.logs)[-4000:])
    return replay.root


def _here(root: Path, image_path: str) -> Path:
    return root / image_path.lstrip("/")


def _locked_runtime() -> dict[str, str]:
    """name -> version of the lock file's runtime dependencies that apply on this platform."""
    exported = subprocess.run(
        [
            str(UV),
            "export",
            "--frozen",
            "--no-default-groups",
            "--no-hashes",
            "--no-header",
            "--no-emit-project",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pins: dict[str, str] = {}
    for line in exported.splitlines():
        requirement, _, marker = line.partition(";")
        if "==" in requirement and not line.startswith(" ") and (not marker or Marker(marker).evaluate()):
            name, version = requirement.split("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_the_build_installs_the_lock_files_runtime_dependencies_alone(image_root: Path) -> None:
    python = _here(image_root, venv_path()) / "bin" / "python"
    listed = subprocess.run(
        [str(UV), "pip", "list", "--python", str(python), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    installed = {canonicalize_name(item["name"]): item["version"] for item in json.loads(listed.stdout)}
    expected = _locked_runtime() | {canonicalize_name(PROJECT["name"]): PROJECT["version"]}
    assert installed == expected, {
        "not locked": sorted(set(installed.items()) - set(expected.items())),
        "missing": sorted(set(expected.items()) - set(installed.items())),
    }


def test_the_entrypoint_runs_the_suite_and_its_subcommands(image_root: Path, tmp_path: Path) -> None:
    """As `docker run IMAGE ...` runs them: the ENTRYPOINT found through the final stage's PATH, from the
    image's working directory, the key from the environment."""
    final = RECIPE.final.variables(RECIPE.global_args)
    bin_dir = _here(image_root, final["PATH"].split(":")[0])
    (entrypoint,) = RECIPE.final.all("ENTRYPOINT")
    found = shutil.which(entrypoint.arguments[0], path=str(bin_dir))
    assert found, f"{entrypoint.arguments[0]} is not on the image's PATH ({bin_dir})"
    env = machine_env(bin_dir) | {"API_KEY": API_KEY}
    docker_run = [found, *entrypoint.arguments[1:]]
    for arguments, shows in (
        (["--help"], "usage: assistants-contract"),
        (["mock", "--help"], "usage: assistants-contract mock"),
        (["proxy", "--help"], "usage: assistants-contract proxy"),
        (["gallery"], BROKEN),
    ):
        done = _run([*docker_run, *arguments], tmp_path, env)
        assert done.returncode == 0 and shows in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]
    server = _run([str(bin_dir / "assistants-reference-server"), "--help"], tmp_path, env)
    assert server.returncode == 0 and "--host" in server.stdout, server.stderr[-2000:]
    for command, status in (
        (["assistants-reference-server"], 0),
        (["assistants-contract", "gallery", BROKEN], 1),
    ):
        with serving(*command) as url:
            done = _run([*docker_run, "--base-url", url, "--examples", "3"], tmp_path, env)
        assert done.returncode == status, done.stdout[-3000:] + done.stderr[-2000:]
        assert API_KEY not in done.stdout + done.stderr


def docker_unavailable() -> str | None:
    """Why the image cannot be built here, or None where a Docker daemon answers."""
    if shutil.which("docker") is None:
        return "no docker command on this machine"
    try:
        info = subprocess.run(["docker", "info"], capture_output=True, text=True, check=False, timeout=60)
    except subprocess.TimeoutExpired:
        return "`docker info` did not answer in 60 s"
    if info.returncode != 0:
        said = [line.strip() for line in info.stderr.splitlines() if line.strip()]
        return f"no Docker daemon answers (`docker info`: {said[-1] if said else info.returncode})"
    return None


def test_the_image_builds_and_runs(tmp_path: Path) -> None:
    reason = docker_unavailable()
    if reason:
        pytest.skip(f"{reason}: the image is not built here (the other tests of this file check it without)")
    tag = f"assistants-contract:test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "API_KEY": API_KEY, "DOCKER_CLI_HINTS": "false"}
    built = _run(["docker", "build", "--tag", tag, str(REPO_ROOT)], tmp_path, env)
    try:
        assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
        # --network host: the container reaches the servers on this (Linux) host's loopback.
        run = ["docker", "run", "--rm", "--network", "host", "-e", "API_KEY"]
        done = _run([*run, tag, "--help"], tmp_path, env)
        assert done.returncode == 0 and "usage: assistants-contract" in done.stdout, done.stderr[-2000:]
        done = _run([*run, tag, "mock", "--help"], tmp_path, env)
        assert done.returncode == 0 and "usage: assistants-contract mock" in done.stdout, done.stderr[-2000:]
        done = _run([*run, "--entrypoint", "assistants-reference-server", tag, "--help"], tmp_path, env)
        assert done.returncode == 0 and "--host" in done.stdout, done.stderr[-2000:]
        done = _run([*run, "--entrypoint", "id", tag, "-u"], tmp_path, env)
        assert done.returncode == 0 and done.stdout.strip() not in ("", "0"), done.stdout + done.stderr
        for command, status in (
            (["assistants-reference-server"], 0),
            (["assistants-contract", "gallery", BROKEN], 1),
        ):
            with serving(*command) as url:
                done = _run([*run, tag, "--base-url", url, "--examples", "3"], tmp_path, env)
            assert done.returncode == status, done.stdout[-3000:] + done.stderr[-2000:]
            assert API_KEY not in done.stdout + done.stderr
        size = _run(
            ["docker", "image", "inspect", "--format", "{{.Size}}", tag], tmp_path, env
        ).stdout.strip()
        print(f"image {tag}: {int(size) / 1e6:.0f} MB")
        assert int(size) < IMAGE_BYTES, size
    finally:
        _run(["docker", "image", "rm", "--force", tag], tmp_path, env)
