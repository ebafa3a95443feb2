"""docs/benchmarks.md from the results of one `make bench` run: medians, ratios, goals, profiles."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from bench import clients
from bench.client_overhead import CallTimes, Footprint, RetryScenario
from bench.contract import ContractResult
from bench.large_spec import TITLE, LargeResult
from bench.markdown import table as _table
from bench.markdown import times as _x
from bench.profiles import Profile
from bench.regenerate import OURS, STOCK, RegenerateResult
from bench.report_scale import large_section, large_summary_rows, mock_paragraphs, mock_summary_rows
from bench.server_load import FAST, H11, MOCK, PRISM, LoadResult
from bench.stats import median, ratio


@dataclass
class Results:
    machine: dict[str, str]
    settings: dict[str, str]
    in_memory: CallTimes | None = None
    loopback: CallTimes | None = None
    footprint: Footprint | None = None
    retry: RetryScenario | None = None
    contract: ContractResult | None = None
    load: LoadResult | None = None
    regenerate: RegenerateResult | None = None
    large: LargeResult | None = None
    profiles: list[Profile] = field(default_factory=list)
    validation_us: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # section -> why it was not measured
    loads: dict[str, tuple[float, float]] = field(default_factory=dict)  # section title -> load at start, end
    seconds: float = 0.0


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _missing(results: Results, section: str) -> list[str]:
    return [f"Not measured in this run: {results.errors.get(section, 'skipped')}", ""]


def summary(r: Results) -> list[str]:
    rows: list[list[str]] = []
    if r.in_memory:
        raw, gen, sdk = (r.in_memory.median_us(n) for n in clients.CLIENTS)
        rows.append(
            [
                "client call, in memory (retries on, nothing to retry)",
                f"{gen:.0f} µs",
                f"raw httpx {raw:.0f} µs",
                _x(ratio(gen, raw)),
                "≤ 1.1x",
                _met(ratio(gen, raw) <= 1.1),
            ]
        )
        rows.append(
            [
                "",
                f"{gen:.0f} µs",
                f"openai SDK {sdk:.0f} µs",
                f"SDK {_x(ratio(sdk, gen))} slower",
                "≥ 4x",
                _met(ratio(sdk, gen) >= 4),
            ]
        )
        if "generated_stock" in r.in_memory.samples:
            stock = r.in_memory.median_us("generated_stock")
            rows.append(
                [
                    "client call, our templates vs stock",
                    f"{gen:.0f} µs ({_x(ratio(gen, raw))} raw)",
                    f"stock {stock:.0f} µs ({_x(ratio(stock, raw))} raw)",
                    _x(ratio(gen, stock)),
                    "",
                    "",
                ]
            )
    if r.retry:
        gen, off, sdk = (
            r.retry.median_s(name) for name in ("generated", "generated_no_retries", "openai_sdk")
        )
        ok = r.retry.outcomes["generated"] == "the assistant" and 0.9 <= gen <= 1.5 and off < 0.1
        rows.append(
            [
                "429 `Retry-After: 1`, then 200",
                f"{gen:.2f} s, {r.retry.outcomes['generated']}",
                f"openai SDK {sdk:.2f} s, {r.retry.outcomes['openai_sdk']}",
                _x(ratio(gen, sdk)),
                "≈ 1 s; max_retries=0 at once",
                _met(ok),
            ]
        )
    if r.contract and r.contract.make_contract.seconds:
        ours, st = r.contract.make_contract.median_seconds(), r.contract.st_run.median_seconds()
        ok = ratio(ours, st) <= 1.5 and ours < 60
        rows.append(
            [
                "contract suite, wall time",
                f"{ours:.1f} s",
                f"st run {st:.1f} s",
                _x(ratio(ours, st)),
                "≤ 1.5x and < 60 s",
                _met(ok),
            ]
        )
    if r.contract and r.contract.resource_suite.seconds:
        ours, st = r.contract.resource_suite.median_seconds(), r.contract.resource_st_run.median_seconds()
        rows.append(
            [
                "contract suite on the resource spec, wall time",
                f"{ours:.1f} s",
                f"st run {st:.1f} s",
                _x(ratio(ours, st)),
                "",
                "",
            ]
        )
    if r.contract and r.contract.gallery:
        total = len(r.contract.gallery)
        caught = {
            tool: sum(1 for verdicts in r.contract.gallery.values() if verdicts[tool] == "caught")
            for tool in ("make contract", "st run")
        }
        rows.append(
            [
                "defect gallery caught",
                f"{caught['make contract']}/{total}",
                f"st run {caught['st run']}/{total}",
                "",
                "all",
                _met(caught["make contract"] == total),
            ]
        )
    rows += large_summary_rows(r.large)
    if r.load:
        # The project's dependencies include httptools + uvloop, which uvicorn picks: the server as shipped;
        # h11 + asyncio is uvicorn's pure-Python fallback, shown beside it.
        ours, prism = r.load.median("rps", H11), r.load.median("rps", PRISM)
        rows.append(
            [
                "reference server (h11), req/s",
                f"{ours:.0f}",
                f"Prism {prism:.0f}",
                _x(ratio(ours, prism)),
                "≥ 2x",
                _met(ratio(ours, prism) >= 2),
            ]
        )
        fast = r.load.median("rps", FAST)
        rows.append(
            [
                "reference server (httptools + uvloop), req/s",
                f"{fast:.0f}",
                f"Prism {prism:.0f}",
                _x(ratio(fast, prism)),
                "≥ 2x",
                _met(ratio(fast, prism) >= 2),
            ]
        )
        p99 = r.load.median("p99_ms", H11)
        rows.append(
            [
                f"reference server (h11), p99 at {r.load.connections} in flight",
                f"{p99:.1f} ms",
                f"Prism {r.load.median('p99_ms', PRISM):.1f} ms",
                "",
                "< 10 ms",
                _met(p99 < 10),
            ]
        )
        fast_p99 = r.load.median("p99_ms", FAST)
        rows.append(
            [
                f"reference server (httptools + uvloop), p99 at {r.load.connections} in flight",
                f"{fast_p99:.1f} ms",
                f"Prism {r.load.median('p99_ms', PRISM):.1f} ms",
                "",
                "< 10 ms",
                _met(fast_p99 < 10),
            ]
        )
        mock = r.load.median("rps", MOCK)
        rows.append(
            [
                "judging mock, req/s",
                f"{mock:.0f}",
                f"Prism {prism:.0f}",
                _x(ratio(mock, prism)),
                "≥ 3x",
                _met(ratio(mock, prism) >= 3),
            ]
        )
        mock_p99 = r.load.median("p99_ms", MOCK)
        rows.append(
            [
                f"judging mock, p99 at {r.load.connections} in flight",
                f"{mock_p99:.1f} ms",
                f"Prism {r.load.median('p99_ms', PRISM):.1f} ms",
                "",
                "< 10 ms",
                _met(mock_p99 < 10),
            ]
        )
        rows += mock_summary_rows(r.load)
        added = r.load.proxy_added_ms()
        rows.append(
            [
                "validating proxy, p50 added to a call (one in flight)",
                f"{added:.2f} ms",
                f"direct {median(r.load.sequential_p50_ms.get(FAST, [])):.2f} ms",
                "",
                "< 1 ms",
                _met(added < 1),
            ]
        )
    if r.regenerate:
        ours, stock = r.regenerate.median(OURS), r.regenerate.median(STOCK)
        rows.append(
            ["regeneration", f"{ours:.1f} s", f"stock generator {stock:.1f} s", _x(ratio(ours, stock))]
        )
        rows[-1] += ["", ""]
    lines = ["## Summary", ""]
    lines += _table(["job", "ours", "peer", "ratio", "goal", "met"], rows)
    return [*lines, ""]


def client_section(r: Results) -> list[str]:
    lines = ["## 1. Client call overhead", ""]
    if not r.in_memory:
        return lines + _missing(r, "in_memory")
    raw_mem = r.in_memory.median_us("raw_httpx")
    raw_loop = r.loopback.median_us("raw_httpx") if r.loopback else float("nan")
    fp = r.footprint
    base_rss = median(fp.peak_rss_mib["python"]) if fp else float("nan")
    raw_import = median(fp.import_s["raw_httpx"]) if fp else float("nan")
    rows = []
    for name in r.in_memory.samples:
        mem = r.in_memory.median_us(name)
        row = [clients.LABELS[name], f"{mem:.0f}", _x(ratio(mem, raw_mem))]
        if r.loopback and name in r.loopback.samples:
            loop = r.loopback.median_us(name)
            row += [f"{loop:.0f}", _x(ratio(loop, raw_loop))]
        else:
            row += ["n/a", "n/a"]
        if fp and name in fp.import_s:
            imp, rss = median(fp.import_s[name]) * 1e3, median(fp.peak_rss_mib[name])
            row += [f"{imp:.0f}", _x(ratio(imp, raw_import * 1e3)), f"{rss:.1f} (+{rss - base_rss:.1f})"]
        else:
            row += ["n/a", "n/a", "n/a"]
        rows.append(row)
    header = ["client", "in memory µs/call", "vs raw", "loopback µs/call", "vs raw", "import ms", "vs raw"]
    lines += _table([*header, "peak RSS MiB (over bare python)"], rows)
    lines += [
        "",
        f"Creating one assistant, sequentially. *In memory*: every client on one `httpx.MockTransport` "
        f"returning the same canned 200 JSON, so the figure is the client's own work per call "
        f"({r.settings['client_rounds']}). *Stock templates* is the same spec generated in this run by "
        "openapi-python-client with its own templates and defaults, the baseline of our templates. "
        "*Loopback*: the same calls against the reference server "
        f"(`python -m contract_tests.server`, uvicorn picking its HTTP stack) on 127.0.0.1 "
        f"({r.settings['loopback_rounds']}); there the server's time dominates every call and the "
        "clients' differences shrink accordingly. Before timing, each client's request is checked to "
        "carry the same JSON body, bearer token and `OpenAI-Beta: assistants=v1`. The raw httpx floor "
        "posts the dict and parses the JSON; the generated client also builds its attrs models both "
        "ways; the SDK returns pydantic models. Import time and peak RSS come from fresh interpreters "
        f"({r.settings['footprint_runs']}); peak RSS is after importing the client and making "
        f"{r.settings['footprint_calls']} calls. The SDK is openai 1.20.0, the last release that sends "
        "`OpenAI-Beta: assistants=v1`; it is pinned in the `dev` dependency group (a test of the "
        "reference server uses it) rather than a bench-only one, and is given its own "
        "`httpx.Client` because its default one passes `proxies`, which httpx 0.28 removed.",
        "",
    ]
    if r.loopback is None:
        lines += [f"Loopback not measured: {r.errors.get('loopback', 'skipped')}", ""]
    lines += [
        "*Retries on* is the generated client as built by default (max_retries=2) with nothing to retry; "
        "*max_retries=0* the same client with retries off, which sends as the client did before it "
        "retried: the difference between the two rows is what retry support costs a call that succeeds. "
        "The SDK retries by default too (max_retries=2).",
        "",
    ]
    if r.retry is None:
        return [*lines, *_missing(r, "retry")]
    rows = [
        [clients.LABELS[name], f"{r.retry.median_s(name):.3f}", r.retry.outcomes[name]]
        for name in r.retry.samples
    ]
    lines += _table(["client", "429 `Retry-After: 1`, then 200: s/call", "the call gives"], rows)
    lines += [
        "",
        "A server that refuses the first request with 429 and `Retry-After: 1`, then answers 200 "
        f"(in memory, on the real clock; {r.settings['retry_rounds']}): with its defaults, the client "
        "waits the second the server asked for and returns the assistant, as the SDK does; with "
        "`max_retries=0` it returns the 429 `ErrorResponse` at once.",
        "",
    ]
    return lines


def contract_section(r: Results) -> list[str]:
    lines = ["## 2. Contract suite", ""]
    c = r.contract
    if not c:
        return lines + _missing(r, "contract")
    rows = []
    for label, runs in (("`make contract`", c.make_contract), ("`st run --checks all`", c.st_run)):
        rows.append(
            [
                label,
                f"{runs.median_seconds():.1f}",
                f"{median([float(n) for n in runs.cases]):.0f}",
                f"{runs.cases_per_second():.0f}",
                f"{runs.passed.count(True)}/{len(runs.passed)}",
            ]
        )
    lines += _table(["tool", "wall time s", "cases", "cases/s", "runs passing"], rows)
    lines += [
        "",
        f"Against the reference server, {r.settings['contract_rounds']}. `make contract` is timed as a "
        "user runs it (it checks the lock files, synced beforehand, and starts its own reference server); "
        "`st run` is "
        "schemathesis' CLI with every check on the same spec, against a reference server already up. "
        "Cases per second is the cases each tool reports over its wall time.",
        "",
    ]
    if c.resource_suite.seconds:
        rows = [
            [
                label,
                f"{runs.median_seconds():.1f}",
                f"{median([float(n) for n in runs.cases]):.0f}",
                f"{runs.cases_per_second():.0f}",
                f"{runs.passed.count(True)}/{len(runs.passed)}",
            ]
            for label, runs in (
                ("the suite (`scripts/contract --spec`)", c.resource_suite),
                ("`st run --checks all`", c.resource_st_run),
            )
        ]
        lines += [
            f"On the spec grown into a whole resource ({c.resource_operations} operations: create, list "
            "with paging, retrieve, modify, delete; OpenAPI links from the create to the item operations), "
            "both tools against one reference server of that spec, the suite with its lifecycle sequences "
            "and checks of state, `st run` with its stateful phase (it follows the links):",
            "",
            *_table(["tool", "wall time s", "cases", "cases/s", "runs passing"], rows),
            "",
        ]
    if c.gallery:
        gallery_rows = [
            [
                f"`{name}`" + (" (resource spec)" if name in c.on_resource else ""),
                *(
                    v if v == "caught" else f"**{v}**"
                    for v in (verdicts["make contract"], verdicts["st run"])
                ),
            ]
            for name, verdicts in c.gallery.items()
        ]
        lines += [
            "Defect gallery: each deliberately broken server of `contract_tests.gallery` served in turn, "
            "both tools run against it at once (the suite through `scripts/contract` with `BASE_URL`). "
            "A tool catches a server when it reports a failure; *error* means it could not test it. A server "
            "marked *resource spec* breaks what the spec does not have yet (a retrieve, a delete): both "
            "tools meet it on the spec grown into a whole resource (list, retrieve, modify, delete, with "
            "OpenAPI links, which `st run` follows in its stateful phase).",
            "",
        ]
        lines += [*_table(["server", "make contract", "st run"], gallery_rows), ""]
    lines += [f"- {note}" for note in c.notes]
    return [*lines, ""] if c.notes else lines


def _resource_scale(r: Results) -> tuple[float, int, int] | None:
    """The suite on the resource spec: median seconds, operations, median cases (the scale of the large spec's
    figures)."""
    if not r.contract or not r.contract.resource_suite.seconds:
        return None
    runs = r.contract.resource_suite
    cases = round(median([float(n) for n in runs.cases]))
    return runs.median_seconds(), r.contract.resource_operations, cases


def load_section(r: Results) -> list[str]:
    lines = ["## 3. Reference server, judging mock and validating proxy under load", ""]
    ld = r.load
    if not ld:
        return lines + _missing(r, "load")
    prism_rps = ld.median("rps", PRISM)
    rows = []
    for label in ld.rps:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(ld.statuses[label].items()))
        rows.append(
            [
                label,
                f"{ld.median('rps', label):.0f}",
                _x(ratio(ld.median("rps", label), prism_rps)),
                f"{ld.median('p50_ms', label):.1f}",
                f"{ld.median('p99_ms', label):.1f}",
                statuses,
                str(ld.failures[label]),
            ]
        )
    header = ["server", "req/s", "vs Prism", "p50 ms", "p99 ms", "responses", "errors"]
    lines += _table(header, rows)
    lines += [
        "",
        f"autocannon in a second process, {ld.connections} connections in flight, {ld.amount} requests "
        f"per run ({r.settings['load_rounds']}, servers interleaved), each connection sending {ld.mix}, "
        "so about half the answers are successes and half refusals. Latencies are exact per-request times "
        "from autocannon's response events, over all answers. Every server runs on 127.0.0.1 at once, "
        "each single-process but the mock's `--workers 2` rows; the load generator shares the machine's 2 "
        "cores. Prism runs `prism mock` "
        "on the same spec with logging at `error` (its default logs a line per request). "
        "`python -m contract_tests.server` leaves the HTTP stack to uvicorn, which picks httptools + "
        "uvloop, installed with the project's dependencies; the pure-Python h11 + asyncio stack is shown "
        "beside it. The judging mock is `assistants-contract mock` (the reference server behind the judge "
        "of every request, which records each invalid body as the client's fault); the validating proxy "
        "is `assistants-contract proxy` in front of the httptools reference server (both directions "
        "judged), so its row includes that server's own time.",
        "",
        "One request at a time (no queueing), p50: "
        + "; ".join(f"{label} {median(times):.2f} ms" for label, times in ld.sequential_p50_ms.items())
        + f". The proxy adds {ld.proxy_added_ms():.2f} ms to a call.",
        "",
        *mock_paragraphs(ld),
        *(f"- {note}" for note in ld.notes),
        *([""] if ld.notes else []),
    ]
    return lines


def regenerate_section(r: Results) -> list[str]:
    lines = ["## 4. Regeneration", ""]
    if not r.regenerate:
        return lines + _missing(r, "regenerate")
    rows = [[label, f"{r.regenerate.median(label):.2f}"] for label in r.regenerate.seconds]
    lines += _table(["command", "wall time s"], rows)
    lines += [
        "",
        f"{r.settings['regenerate_rounds']}. `make generate` is `scripts/bootstrap` (a no-op sync when "
        "up to date) then `scripts/generate` (openapi-python-client with our config and templates, "
        "ruff as post hook), here writing to a scratch directory so the bench never rewrites "
        "`generated/`. The stock generator is the same version with its own templates and defaults.",
        "",
    ]
    return lines


def profile_section(r: Results) -> list[str]:
    lines = ["## Where the time goes", ""]
    if not r.profiles:
        return lines + _missing(r, "profiles")
    for profile in r.profiles:
        lines += [f"**{profile.title}**: {profile.per_call_us:.0f} µs each, under the profiler.", ""]
        rows = [[name, f"{share:.0%}"] for name, share in profile.by_package[:8]]
        lines += [*_table(["package (self time)", "share"], rows), ""]
        rows = [[f"`{name}`", f"{share:.0%}"] for name, share in profile.top_functions[:5]]
        lines += [*_table(["function (self time)", "share"], rows), ""]
    if r.validation_us:
        figures = "; ".join(f"{kind}: {us:.0f} µs" for kind, us in r.validation_us.items())
        lines += [
            f"Request-body validation alone, per body of the load mix (median of 9 rounds): {figures}.",
            "",
        ]
    return lines


def _load_said(r: Results) -> str:
    loads = [load for pair in r.loads.values() for load in pair if not math.isnan(load)]
    if not loads:
        return ""
    return (
        f" The load average (1 min) ran from {min(loads):.1f} to {max(loads):.1f} on these 2 cores during "
        "the run, other work included (by section under *Machine and versions*)."
    )


def render(r: Results, findings: list[str]) -> str:
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {when} in {r.seconds:.0f} s. Every figure is the median of repeated "
        "runs, the tools interleaved round by round in this one run on this machine: 2 shared, noisy "
        "cores, so read the ratios; an absolute time is only meaningful beside its peer's." + _load_said(r),
        "",
        "![benchmarks](benchmarks.png)",
        "",
        *summary(r),
        *client_section(r),
        *contract_section(r),
        *large_section(
            r.large,
            r.errors.get("large", "skipped"),
            r.settings["large_rounds"],
            _resource_scale(r),
            r.loads.get(TITLE),
        ),
        *load_section(r),
        *regenerate_section(r),
        *profile_section(r),
    ]
    if findings:
        lines += ["## Findings", "", *findings, ""]
    lines += ["## Machine and versions", ""]
    lines += _table(["", ""], [[k, v] for k, v in r.machine.items()])
    if r.loads:
        lines += [
            "",
            "Load average (1 min) at each section's start and end: above 2, other work was waiting for these "
            "2 cores too, and every tool of a section shared what was left alike.",
            "",
        ]
        rows = [[title, f"{start:.1f}", f"{end:.1f}"] for title, (start, end) in r.loads.items()]
        lines += _table(["section", "start", "end"], rows)
    if r.errors:
        lines += ["", "## Not measured", ""]
        lines += [f"- {section}: {why}" for section, why in r.errors.items()]
    return "\n".join(lines) + "\n"
