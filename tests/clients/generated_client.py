"""A client written with the project's generated client, finding the server in BASE_URL and API_KEY."""

from __future__ import annotations

import os

from assistants_v1_client import AuthenticatedClient
from assistants_v1_client.api.assistants import create_assistant
from assistants_v1_client.models import CodeInterpreterTool, CreateAssistantRequest, Metadata

request = CreateAssistantRequest(
    model="gpt-4-turbo", name="Math Tutor", instructions="Be kind.", tools=[CodeInterpreterTool()]
)
request.metadata = Metadata.from_dict({"team": "tutoring"})
with AuthenticatedClient(base_url=os.environ["BASE_URL"], token=os.environ["API_KEY"]) as client:
    created = create_assistant.sync_detailed(client=client, body=request)
print(f"answered {created.status_code}")
