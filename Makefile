# Each target is one short script in scripts/: read it to see what it does.
.PHONY: help bootstrap generate check-generated lint format test contract serve bench compat docs

BASE_URL ?=
API_KEY ?=
REPORT ?=
PORT ?= 8000
BASE ?= origin/main
# Passed to the scripts through the environment, so that an API key never appears in make's echo.
export BASE_URL API_KEY REPORT

help:            ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/:/'

bootstrap:       ## install the pinned tools from uv.lock and package-lock.json (--runtime: the contract run's only)
	scripts/bootstrap

generate:        ## regenerate generated/ from spec/openapi.yaml
	scripts/bootstrap && scripts/generate

check-generated: ## fail when generated/ is stale
	scripts/bootstrap && scripts/check-generated

lint:            ## spec validity and lint, ruff, mypy --strict
	scripts/bootstrap && scripts/lint

format:          ## format our code with ruff
	scripts/bootstrap && scripts/format

test:            ## every check: generated up to date, lint, pytest
	scripts/test

contract:        ## the contract suite against BASE_URL (key in API_KEY), else the reference server; REPORT=junit.xml
	scripts/bootstrap --runtime && scripts/contract

compat:          ## classify the spec's changes since BASE (ref or file); ALLOW_BREAKING=1 for a major change
	scripts/bootstrap && scripts/compat $(BASE) $(if $(ALLOW_BREAKING),--allow-breaking)

docs:            ## render the spec as one static page, build/reference.html (served at /__contract/reference)
	scripts/bootstrap && scripts/docs

serve:           ## run the reference server on 127.0.0.1:$(PORT) (API_KEY=... to choose the key)
	scripts/bootstrap --runtime && scripts/serve $(PORT)

bench:           ## benchmarks beside the tools users would pick instead; writes docs/benchmarks.md (not in make test)
	scripts/bootstrap --group bench && scripts/bench
