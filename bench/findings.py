"""The report's findings: what the figures of this run say, ours told apart from the dependencies'."""

from __future__ import annotations

from bench.report import FAST, H11, PRISM, Results
from bench.stats import ratio


def _share(profile_packages: list[tuple[str, float]], *names: str) -> float:
    return sum(share for name, share in profile_packages if name.split(" ")[0] in names)


def findings(r: Results) -> list[str]:
    lines = []
    if r.in_memory and r.loopback:
        raw_mem, raw_loop = r.in_memory.median_us("raw_httpx"), r.loopback.median_us("raw_httpx")
        gen_gap = r.loopback.median_us("generated") - raw_loop
        lines.append(
            f"- Over loopback the server dominates: raw httpx takes {raw_loop:.0f} µs per call against "
            f"{raw_mem:.0f} µs in memory, and the generated client adds {gen_gap:.0f} µs to that "
            f"({_x(ratio(r.loopback.median_us('generated'), raw_loop))}); the client's own overhead "
            "is the in-memory figure."
        )
    if r.in_memory:
        sdk_vs_raw = ratio(r.in_memory.median_us("openai_sdk"), r.in_memory.median_us("raw_httpx"))
        lines.append(
            f"- The openai SDK costs {_x(sdk_vs_raw)} raw httpx per call in memory: pydantic models, "
            "request options, retries and headers of its own. That is the SDK's, not ours."
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
        if profile.title.startswith("reference"):
            schema = _share(profile.by_package, "jsonschema", "referencing", "rpds", "attr")
            starlette = _share(profile.by_package, "starlette")
            ours = _share(profile.by_package, "contract_tests")
            lines.append(
                f"- Reference server, the app alone: {profile.per_call_us:.0f} µs per request, "
                f"{schema:.0%} of it in jsonschema and referencing (validating the body against the spec, "
                f"`$ref` lookups on every validation), {starlette:.0%} in Starlette and {ours:.0%} in our "
                "own code. The validation engine is a dependency; how the validator is built from the spec "
                "(contract_tests.spec) is ours."
            )
    if r.load:
        fast, slow, prism = (r.load.median("rps", label) for label in (FAST, H11, PRISM))
        lines.append(
            f"- Under load, httptools + uvloop gives {_x(ratio(fast, slow))} the requests per second of "
            f"uvicorn's h11 + asyncio stack, and the reference server {_x(ratio(fast, prism))} Prism's. "
            f"p99 at {r.load.connections} in flight is {r.load.median('p99_ms', FAST):.1f} ms: with one "
            "process at this rate, 32 queued requests wait on each other (Little's law), so a 10 ms p99 "
            f"needs about {r.load.connections / 0.010:.0f} requests per second from one worker."
        )
    return lines


def _x(value: float) -> str:
    return f"{value:.2f}x"
