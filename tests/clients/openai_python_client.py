"""A client written with the official openai Python SDK (1.20.0, the last release that sends
`OpenAI-Beta: assistants=v1`), as a team's own code would use it: it finds the server where the SDK looks
without being told (OPENAI_BASE_URL, OPENAI_API_KEY). With WHOLE_RESOURCE=1 it also retrieves, updates,
lists and deletes what it created, then asks for it once more (a 404, which the SDK raises).

openai 1.20.0 predates httpx 0.28 (it passes `proxies`, which 0.28 removed): it is given an httpx client of
its own, as its docs allow."""

from __future__ import annotations

import contextlib
import os

import httpx
import openai
from openai import OpenAI

client = OpenAI(http_client=httpx.Client(), max_retries=2)
assistant = client.beta.assistants.create(
    model="gpt-4-turbo",
    name="Math Tutor",
    instructions="You are a personal math tutor. When asked a question, write and run Python code to answer"
    " the question, and explain each step of it.",
    tools=[{"type": "code_interpreter"}, {"type": "function", "function": {"name": "get_weather"}}],
    metadata={"team": "tutoring"},
)
if os.environ.get("WHOLE_RESOURCE") == "1":
    client.beta.assistants.retrieve(assistant.id)
    client.beta.assistants.update(assistant.id, name="Math Tutor 2")
    client.beta.assistants.list(limit=5)
    client.beta.assistants.delete(assistant.id)
    with contextlib.suppress(openai.NotFoundError):
        client.beta.assistants.retrieve(assistant.id)
print(f"created {assistant.id}")
