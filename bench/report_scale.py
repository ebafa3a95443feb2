"""The report's parts past the seed's size and one process: the suite on a spec of 50+ operations (whole,
sharded, beside `st run`), and the judging mock's processes and stores under load, each with what it
shows, computed from the figures of the run."""

from __future__ import annotations

import math

from bench.large_spec import SHARDED, SHARDS, ST, ST_WORKERS, WHOLE, LargeResult
from bench.markdown import table, times
from bench.server_load import (
    MOCK,
    MOCK_POSTGRES,
    MOCK_SQLITE,
    MOCK_STATELESS,
    MOCK_WORKERS,
    PRISM,
    LoadResult,
)
from bench.stats import median, ratio

# Per operation, within this much of the smaller spec's time is "about linear" on these noisy cores.
LINEAR_BAND = 1.25


def _figure(value: float, digits: int = 0) -> str:
    return "n/a" if math.isnan(value) else f"{value:.{digits}f}"


def _load(loads: tuple[float, float] | None) -> str:
    if loads is None:
        return ""
    return f"the load average (1 min) was {loads[0]:.1f} at the section's start and {loads[1]:.1f} at its end"


def large_rows(large: LargeResult) -> list[list[str]]:
    whole = large.runs[WHOLE].median("seconds")
    rows = []
    for tool, runs in large.runs.items():
        if not runs.seconds:
            continue
        seconds = runs.median("seconds")
        per_second = median([c / s for c, s in zip(runs.cases, runs.seconds, strict=True) if s])
        rows.append(
            [
                tool,
                f"{seconds:.1f}",
                times(ratio(seconds, whole)),
                _figure(runs.median("cases")),
                _figure(runs.median("operations")),
                _figure(per_second),
                _figure(runs.median("peak_mib")),
                f"{runs.passed.count(True)}/{len(runs.passed)}",
            ]
        )
    return rows


def _scaling(large: LargeResult, resource: tuple[float, int, int] | None) -> str:
    """How the suite's time per operation here compares with the resource spec's (seconds, operations,
    cases there)."""
    runs = large.runs[WHOLE]
    operations = runs.median("operations")
    # Bounded examples (a quick run) make the cases per operation incomparable with the resource spec's.
    if resource is None or large.examples or not runs.seconds or not operations or not resource[1]:
        return ""
    here = runs.median("seconds") / operations
    there = resource[0] / resource[1]
    growth = ratio(here, there)
    said = (
        "about linearly"
        if 1 / LINEAR_BAND <= growth <= LINEAR_BAND
        else f"faster than linearly ({times(growth)} the time per operation)"
        if growth > LINEAR_BAND
        else f"slower than linearly ({times(growth)} the time per operation)"
    )
    cases_here, cases_there = runs.median("cases") / operations, resource[2] / resource[1]
    return (
        f"The whole run took {here:.2f} s per operation judged ({cases_here:.0f} cases each), against "
        f"{there:.2f} s ({cases_there:.0f} cases each) on the {resource[1]}-operation resource spec above: "
        f"the suite's time grows {said} with the operations. "
    )


def _sharding(large: LargeResult, loads: tuple[float, float] | None) -> str:
    whole, sharded = large.runs[WHOLE].median("seconds"), large.runs[SHARDED].median("seconds")
    if math.isnan(whole) or math.isnan(sharded):
        return ""
    own = [median([each[index] for each in large.shard_seconds]) for index in range(SHARDS)]
    load = _load(loads)
    return (
        f"{SHARDS} shards at once finished in {times(ratio(sharded, whole))} the whole run's wall time "
        f"({whole / sharded:.2f} times as fast; {SHARDS}.00 would be a core to each), each shard taking "
        + ", ".join(f"{seconds:.0f} s" for seconds in own)
        + " for its share (medians)"
        + (f"; {load}, on 2 cores" if load else "")
        + f". A shard's peak memory was {_figure(large.runs[SHARDED].median('peak_mib'))} MiB against "
        f"{_figure(large.runs[WHOLE].median('peak_mib'))} MiB for the whole run: what one job of a CI matrix "
        "needs. "
    )


def _peer(large: LargeResult) -> str:
    whole, st, st_workers = large.runs[WHOLE], large.runs[ST], large.runs[ST_WORKERS]
    if not whole.seconds or not st.seconds:
        return ""
    seconds = times(ratio(whole.median("seconds"), st.median("seconds")))
    cases = times(ratio(whole.median("cases"), st.median("cases")))
    text = f"Beside `st run` on the same spec, the suite took {seconds} its wall time for {cases} its cases"
    if st_workers.seconds:
        faster = times(ratio(st_workers.median("seconds"), st.median("seconds")))
        text += f"; `st run --workers {SHARDS}` took {faster} the time of one worker"
    return text + "."


def large_section(
    large: LargeResult | None,
    error: str,
    settings: str,
    resource: tuple[float, int, int] | None,
    loads: tuple[float, float] | None,
) -> list[str]:
    """`resource`: the suite's median seconds, operations and cases on the resource spec, for scale."""
    lines = ["### The suite on a spec of 50+ operations, whole and sharded", ""]
    if large is None:
        return [*lines, f"Not measured in this run: {error}", ""]
    header = ["run", "wall time s", "vs whole", "cases", "operations judged", "cases/s", "peak RSS MiB"]
    lines += table([*header, "runs passing"], large_rows(large))
    examples = (
        f" (here with `--examples {large.examples}`, `st run -n {large.examples}`)" if large.examples else ""
    )
    lines += [
        "",
        f"A spec of {large.spec_operations} operations: the project's spec grown into a whole resource (as "
        "above) under nine names, beside every media type of `tests/fixtures/media.yaml` (an upload and its "
        "download, speech sent chunked, a stream, a form, text), built by `tests/edits/many.py` as "
        "`tests/contract/test_shards.py` builds it. One reference server of it serves every run "
        f"({settings}, in a rotating order). The suite runs as `scripts/contract --spec` with `BASE_URL`"
        f"{examples}; sharded, `--shard 1/{SHARDS}` and `--shard {SHARDS}/{SHARDS}` run as two processes at "
        "once on the machine's 2 cores and `assistants-contract merge-reports` joins their JUnit and JSON "
        "reports, timed from the shards' start to the merge's end. `st run` is schemathesis' CLI with every "
        f"check, with one worker (its default) and with `--workers {SHARDS}`, its own way to use two cores. "
        "*Cases*: the requests the suite's report counts (the shards' summed), the cases `st run` reports "
        "generating; *operations judged*: those where a check of the suite judged a case (from the merged "
        "report, sharded), those `st run` tested; *peak RSS*: the process's largest resident memory (the "
        "larger shard's).",
        "",
    ]
    shows = _scaling(large, resource) + _sharding(large, loads) + _peer(large)
    if shows:
        lines += [f"*What this shows*: {shows.strip()}", ""]
    lines += [f"- {note}" for note in large.notes]
    return [*lines, ""] if large.notes else lines


def mock_paragraphs(load: LoadResult) -> list[str]:
    """What the mock's rows of the load table are, and what they show."""
    rps = {label: load.median("rps", label) for label in load.rps}
    if not any(label in rps for label in (MOCK_STATELESS, MOCK_SQLITE, MOCK_WORKERS)):
        return []
    lines = [
        "The judging mock five ways: as above (one process, its objects in memory, the default); "
        "`--stateless` (one process answering as Prism does, keeping nothing); `--state FILE.sqlite` (one "
        "process, every object and every finding written to SQLite); `--workers 2 --state FILE.sqlite` (two "
        "processes accepting on one port, sharing the file); and `--workers 2 --state postgresql://...` "
        "where `$CONTRACT_TEST_POSTGRES_URL` names a server (a database of its own for the run, dropped "
        "after). The load generator shares the machine's 2 cores with the two workers.",
        "",
    ]
    said = []

    def vs(label: str, other: str) -> str:
        return times(ratio(rps[label], rps.get(other, float("nan"))))

    if MOCK_STATELESS in rps:
        said.append(
            f"answering as Prism does, the mock serves {vs(MOCK_STATELESS, PRISM)} Prism's requests per "
            f"second while judging each ({vs(MOCK_STATELESS, MOCK)} the stateful default)"
        )
    if MOCK_SQLITE in rps:
        said.append(
            "keeping its objects and findings in SQLite costs one process "
            f"{1 - ratio(rps[MOCK_SQLITE], rps.get(MOCK, float('nan'))):.0%} of its requests per second"
        )
    if MOCK_WORKERS in rps:
        said.append(
            f"two workers on that file serve {vs(MOCK_WORKERS, MOCK_SQLITE)} what one process on it serves, "
            f"{vs(MOCK_WORKERS, PRISM)} Prism's, at p99 {load.median('p99_ms', MOCK_WORKERS):.1f} ms against "
            f"{load.median('p99_ms', MOCK_SQLITE):.1f} ms"
        )
    if MOCK_POSTGRES in rps:
        said.append(
            f"on PostgreSQL, two workers serve {vs(MOCK_POSTGRES, MOCK_WORKERS)} what they serve on SQLite"
        )
    if said:
        lines += [f"*What this shows*: {'; '.join(said)}.", ""]
    return lines


def large_summary_rows(large: LargeResult | None) -> list[list[str]]:
    """The summary's rows of the large spec: job, ours, peer, ratio, goal, met."""
    if not large or not large.runs[WHOLE].seconds:
        return []
    whole, st = large.runs[WHOLE].median("seconds"), large.runs[ST].median("seconds")
    sharded = large.runs[SHARDED].median("seconds")
    size = f"{large.spec_operations} operations"
    whole_row = [f"contract suite, {size}, wall time", f"{whole:.0f} s", f"st run {st:.0f} s"]
    sharded_row = [f"contract suite, {size}, {SHARDS} shards at once", f"{sharded:.0f} s"]
    sharded_row.append(f"unsharded {whole:.0f} s")
    return [
        [*whole_row, times(ratio(whole, st)), "", ""],
        [*sharded_row, times(ratio(sharded, whole)), "", ""],
    ]


def mock_summary_rows(load: LoadResult) -> list[list[str]]:
    """The summary's rows of the mock's other ways: job, ours, peer, ratio, goal, met."""
    prism = load.median("rps", PRISM)
    rows = []
    for label, job in (
        (MOCK_STATELESS, "judging mock --stateless"),
        (MOCK_WORKERS, "judging mock --workers 2"),
    ):
        if label in load.rps:
            rps = load.median("rps", label)
            rows.append(
                [f"{job}, req/s", f"{rps:.0f}", f"Prism {prism:.0f}", times(ratio(rps, prism)), "", ""]
            )
    return rows
