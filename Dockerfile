# The contract suite as an image: `docker run IMAGE --base-url http://host:8000` runs the suite (the key in
# the environment: -e API_KEY), `docker run IMAGE mock ...` the judging mock, `proxy` and `gallery` too, and
# `--entrypoint assistants-reference-server` the reference server. See README.md, "Run it as a container".
#
# Two stages: the first installs the runtime dependencies of uv.lock (and nothing else) into a venv, the
# second is the slim base with that venv alone. The venv lives at the same path in both (a venv is not
# relocatable) and both stages share the base image (its python is the venv's interpreter).
# Another base: --build-arg PYTHON_IMAGE=python:3.13-slim-bookworm; a digest (python:...@sha256:...) pins
# the base's bytes too, as uv.lock pins the packages'.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
# The same uv as scripts/bootstrap's (tests/install/test_image.py keeps them equal).
ARG UV_VERSION=0.13.8
# Paths through variables, so that tests/install/test_image.py can replay these steps outside Docker.
ENV UV_TOOL=/opt/uv \
    UV_PROJECT_ENVIRONMENT=/opt/assistants-contract \
    UV_PYTHON_PREFERENCE=only-system \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy
RUN python -m venv "$UV_TOOL" \
 && "$UV_TOOL/bin/pip" install --quiet --no-cache-dir --disable-pip-version-check "uv==$UV_VERSION"
WORKDIR /src
# The dependencies first, from the lock file alone: their layer is kept while only the code changes.
COPY pyproject.toml uv.lock ./
RUN "$UV_TOOL/bin/uv" sync --frozen --no-default-groups --no-install-project
COPY README.md ./
COPY spec/openapi.yaml spec/
COPY contract_tests contract_tests/
# The project itself, built as a wheel (the spec inside it as package data), not linked to /src.
RUN "$UV_TOOL/bin/uv" sync --frozen --no-default-groups --no-editable

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="assistants-contract" \
      org.opencontainers.image.description="The contract suite of an Assistants-style API, its mock, proxy and reference server" \
      org.opencontainers.image.licenses="MIT"
RUN groupadd --gid 10001 contract \
 && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin contract
COPY --from=build /opt/assistants-contract /opt/assistants-contract
ENV PATH=/opt/assistants-contract/bin:$PATH \
    PYTHONUNBUFFERED=1
# A numeric user, so that a cluster's runAsNonRoot can verify it; `--user "$(id -u)"` to write reports
# into a mounted folder of yours.
USER 10001:10001
WORKDIR /home/contract
ENTRYPOINT ["assistants-contract"]
