"""The report's findings: what the figures of this run say, ours told apart from the dependencies'."""

from __future__ import annotations

from bench.markdown import times as _x
from bench.report import Results
from bench.server_load import FAST, H11, MOCK, PRISM, PROXY
from bench.stats import ratio


def _share(profile_packages: list[tuple[str, float]], *names: str) -> float:
    return sum(share for name, share in profile_packages if name.split(" ")[0] in names)


def findings(r: Results) -> list[str]:
    lines = []
    if r.in_memory and r.loopback:
        raw_mem, raw_loop = r.in_memory.median_us("raw_httpx"), r.loopback.median_us("raw_httpx")
        lines.append(
            f"- Over loopback the server dominates: raw httpx takes {raw_loop:.0f} µs per call against "
            f"{raw_mem:.0f} µs in memory, and the generated client "
            f"{_x(ratio(r.loopback.median_us('generated'), raw_loop))} of that, within the noise of a "
            "server round trip; the client's own overhead is the in-memory figure."
        )
    if r.in_memory and "generated_stock" in r.in_memory.samples:
        raw = r.in_memory.median_us("raw_httpx")
        stock, ours = r.in_memory.median_us("generated_stock"), r.in_memory.median_us("generated")
        lines.append(
            f"- Generated from the same spec, the stock templates cost {_x(ratio(stock, raw))} raw httpx per "
            f"call and ours (scripts/generator/templates) {_x(ratio(ours, raw))}, {_x(ratio(stock, ours))} "
            "faster than stock."
        )
    if r.in_memory and "generated_no_retries" in r.in_memory.samples:
        raw = r.in_memory.median_us("raw_httpx")
        on, off = r.in_memory.median_us("generated"), r.in_memory.median_us("generated_no_retries")
        lines.append(
            f"- Retry support costs a call that succeeds {on - off:+.1f} µs ({_x(ratio(on, off))} the "
            f"client with max_retries=0): the generated client with retries on is {_x(ratio(on, raw))} "
            f"raw httpx, with them off {_x(ratio(off, raw))}. A call's first attempt is sent by httpx "
            "alone, and httpx-retries' retry loop takes over only after a failure the policy retries, "
            "so a call that succeeds pays one status check (httpx-retries' retry_request on every call "
            "cost about 7 µs, some 3% of a call)."
        )
    if r.in_memory:
        sdk_vs_raw = ratio(r.in_memory.median_us("openai_sdk"), r.in_memory.median_us("raw_httpx"))
        lines.append(
            f"- The openai SDK costs {_x(sdk_vs_raw)} raw httpx per call in memory: pydantic models, "
            "request options, retries and headers of its own. That is the SDK's, not ours. It also bounds "
            "the goal of being 4x faster than the SDK: that needs the generated client at "
            f"{sdk_vs_raw / 4:.2f}x raw httpx or less, i.e. doing less per call than httpx's own "
            "`Client.post` does."
        )
    for profile in r.profiles:
        if profile.title.startswith("generated"):
            ours = _share(profile.by_package, "assistants_v1_client")
            httpx = _share(profile.by_package, "httpx", "httpcore", "h11")
            lines.append(
                f"- Generated client call: {ours:.0%} of the self time is in the generated package "
                f"(models' to_dict/from_dict, response wrapping), {httpx:.0%} in httpx itself (request "
                "building, URL merging, header normalisation) which the raw floor pays too."
            )
        if profile.title.startswith("contract suite"):
            generation = _share(profile.by_package, "hypothesis", "hypothesis_jsonschema", "schemathesis")
            builtins = _share(profile.by_package, "<built-in>")
            ours = _share(profile.by_package, "contract_tests")
            lines.append(
                f"- Contract suite, wall time of one run: {generation:.0%} in hypothesis and schemathesis "
                f"(generating cases), {builtins:.0%} in built-ins (the largest is `compile`, code built at "
                f"run time) and {ours:.1%} in the suite's own code. Case generation is the dependencies'; "
                "how many cases are drawn, and how, is the suite's choice."
            )
        if profile.title.startswith("reference"):
            schema = _share(profile.by_package, "jsonschema", "referencing", "rpds", "attr")
            starlette = _share(profile.by_package, "starlette")
            ours = _share(profile.by_package, "contract_tests")
            lines.append(
                f"- Reference server, the app alone: {profile.per_call_us:.0f} µs per request, "
                f"{schema:.0%} of it in jsonschema and referencing (validating the body against the spec), "
                f"{starlette:.0%} in Starlette and {ours:.0%} in our own code. jsonschema looks each `$ref` "
                "up again on every validation; the server now inlines the spec's `$ref`s once at start-up "
                "(`inlined_validator` in contract_tests.api.validators), which the validation figure below "
                "measures "
                "against the resolving validator. The rest of the validation cost is the engine's, a "
                "dependency."
            )
    if r.load:
        fast, slow, prism = (r.load.median("rps", label) for label in (FAST, H11, PRISM))
        lines.append(
            f"- Under load the reference server as shipped (uvicorn with httptools + uvloop) serves "
            f"{_x(ratio(fast, prism))} Prism's requests per second, {_x(ratio(fast, slow))} what uvicorn's "
            f"pure-Python stack (h11 + asyncio) serves. p99 at "
            f"{r.load.connections} in flight is {r.load.median('p99_ms', H11):.1f} ms (h11) and "
            f"{r.load.median('p99_ms', FAST):.1f} ms (httptools): one process answers one request at a "
            f"time, so {r.load.connections} requests in flight queue behind each other: by Little's law the "
            f"mean latency is {r.load.connections} / (requests per second), so a 10 ms p99 needs well over "
            f"{r.load.connections / 0.010:.0f} requests per second from one process, or several worker "
            "processes (which this 2-core machine, also running the load generator, cannot give)."
        )
        mock = r.load.median("rps", MOCK)
        lines.append(
            f"- The judging mock serves {_x(ratio(mock, prism))} Prism's requests per second while judging "
            f"every request with the suite's rules ({_x(ratio(mock, fast))} the reference server alone: the "
            "judge roughly doubles a request's work, since the server behind it validates the body again "
            "on its own, rooms apart). The validating proxy adds "
            f"{r.load.proxy_added_ms():.2f} ms to a call one at a time; under {r.load.connections} in flight "
            f"it serves {r.load.median('rps', PROXY):.0f} requests per second, the proxy and the server "
            "behind it sharing the machine's cores with the load generator."
        )
    return lines
