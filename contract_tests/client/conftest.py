"""No client test waits for real: a retry that would sleep on the system clock fails the test instead
(give the client a calls.FakeClock), but for a test marked `real_clock`, which waits on purpose."""

from __future__ import annotations

import pytest
from assistants_v1_client.client import SystemClock


@pytest.fixture(autouse=True)
def no_real_waits(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("real_clock"):
        return

    def refuse(self: SystemClock, seconds: float) -> None:
        raise AssertionError(f"a retry waited {seconds} s on the system clock: give the client a FakeClock")

    async def refuse_async(self: SystemClock, seconds: float) -> None:
        refuse(self, seconds)

    monkeypatch.setattr(SystemClock, "sleep", refuse)
    monkeypatch.setattr(SystemClock, "asleep", refuse_async)
