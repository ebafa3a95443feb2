from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client, drop_preset_headers, send_request, send_request_async
from ...models.assistant_object import AssistantObject
from ...models.create_assistant_open_ai_beta import CreateAssistantOpenAIBeta
from ...models.create_assistant_request import CreateAssistantRequest
from ...models.error_response import ErrorResponse
from ...types import Response, http_status

_URL = httpx.URL("/v1/assistants")


def _get_kwargs(
    *,
    body: CreateAssistantRequest,
    open_ai_beta: CreateAssistantOpenAIBeta = CreateAssistantOpenAIBeta.ASSISTANTSV1,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["OpenAI-Beta"] = str(open_ai_beta)

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": _URL,
    }

    _kwargs["json"] = body.to_dict()

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AssistantObject | ErrorResponse:
    # A body that does not fit its schema fails in json() or from_dict with one of these errors.
    try:
        if response.status_code == 200:
            response_200 = AssistantObject.from_dict(response.json())

            return response_200

        if response.status_code == 400:
            response_400 = ErrorResponse.from_dict(response.json())

            return response_400

        if response.status_code == 401:
            response_401 = ErrorResponse.from_dict(response.json())

            return response_401

        if response.status_code == 429:
            response_429 = ErrorResponse.from_dict(response.json())

            return response_429

        if response.status_code == 500:
            response_500 = ErrorResponse.from_dict(response.json())

            return response_500

        response_default = ErrorResponse.from_dict(response.json())

        return response_default

    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise errors.UnexpectedBody(response.status_code, response.content) from exc


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AssistantObject | ErrorResponse]:
    return Response(
        status_code=http_status(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateAssistantRequest,
    open_ai_beta: CreateAssistantOpenAIBeta = CreateAssistantOpenAIBeta.ASSISTANTSV1,
    max_retries: int | None = None,
) -> Response[AssistantObject | ErrorResponse]:
    """Create assistant

    Create an assistant with a model and instructions.

    A status the operation does not list is parsed as its `default` response.

    Args:
        open_ai_beta (CreateAssistantOpenAIBeta):  Default:
            CreateAssistantOpenAIBeta.ASSISTANTSV1.
        body (CreateAssistantRequest): The body of a create-assistant request. Closed: an
            unrecognized field is rejected with 400.
        max_retries (int | None): How many times to retry this call after a connection error, a
            timeout, 408, 409, 429 or a 5xx (see client.RetryPolicy); None: the client's max_retries;
            0: send it once.

    Raises:
        errors.UnexpectedBody: If the body of the response is not JSON or not the shape of the schema
            documented for its status.
        httpx.TimeoutException: If the request takes longer than Client.timeout (on its last attempt).
        httpx.HTTPError: Any other transport error; a connection error is raised after the last retry.

    Returns:
        Response[AssistantObject | ErrorResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        open_ai_beta=open_ai_beta,
    )
    httpx_client = client.get_httpx_client()
    drop_preset_headers(kwargs, httpx_client.headers)
    response = send_request(httpx_client, kwargs, client.retry_for(max_retries))
    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: CreateAssistantRequest,
    open_ai_beta: CreateAssistantOpenAIBeta = CreateAssistantOpenAIBeta.ASSISTANTSV1,
    max_retries: int | None = None,
) -> AssistantObject | ErrorResponse | None:
    """Create assistant

    Create an assistant with a model and instructions.

    A status the operation does not list is parsed as its `default` response.

    Args:
        open_ai_beta (CreateAssistantOpenAIBeta):  Default:
            CreateAssistantOpenAIBeta.ASSISTANTSV1.
        body (CreateAssistantRequest): The body of a create-assistant request. Closed: an
            unrecognized field is rejected with 400.
        max_retries (int | None): How many times to retry this call after a connection error, a
            timeout, 408, 409, 429 or a 5xx (see client.RetryPolicy); None: the client's max_retries;
            0: send it once.

    Raises:
        errors.UnexpectedBody: If the body of the response is not JSON or not the shape of the schema
            documented for its status.
        httpx.TimeoutException: If the request takes longer than Client.timeout (on its last attempt).
        httpx.HTTPError: Any other transport error; a connection error is raised after the last retry.

    Returns:
        AssistantObject | ErrorResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        open_ai_beta=open_ai_beta,
        max_retries=max_retries,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateAssistantRequest,
    open_ai_beta: CreateAssistantOpenAIBeta = CreateAssistantOpenAIBeta.ASSISTANTSV1,
    max_retries: int | None = None,
) -> Response[AssistantObject | ErrorResponse]:
    """Create assistant

    Create an assistant with a model and instructions.

    A status the operation does not list is parsed as its `default` response.

    Args:
        open_ai_beta (CreateAssistantOpenAIBeta):  Default:
            CreateAssistantOpenAIBeta.ASSISTANTSV1.
        body (CreateAssistantRequest): The body of a create-assistant request. Closed: an
            unrecognized field is rejected with 400.
        max_retries (int | None): How many times to retry this call after a connection error, a
            timeout, 408, 409, 429 or a 5xx (see client.RetryPolicy); None: the client's max_retries;
            0: send it once.

    Raises:
        errors.UnexpectedBody: If the body of the response is not JSON or not the shape of the schema
            documented for its status.
        httpx.TimeoutException: If the request takes longer than Client.timeout (on its last attempt).
        httpx.HTTPError: Any other transport error; a connection error is raised after the last retry.

    Returns:
        Response[AssistantObject | ErrorResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        open_ai_beta=open_ai_beta,
    )
    httpx_client = client.get_async_httpx_client()
    drop_preset_headers(kwargs, httpx_client.headers)
    response = await send_request_async(httpx_client, kwargs, client.retry_for(max_retries))
    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateAssistantRequest,
    open_ai_beta: CreateAssistantOpenAIBeta = CreateAssistantOpenAIBeta.ASSISTANTSV1,
    max_retries: int | None = None,
) -> AssistantObject | ErrorResponse | None:
    """Create assistant

    Create an assistant with a model and instructions.

    A status the operation does not list is parsed as its `default` response.

    Args:
        open_ai_beta (CreateAssistantOpenAIBeta):  Default:
            CreateAssistantOpenAIBeta.ASSISTANTSV1.
        body (CreateAssistantRequest): The body of a create-assistant request. Closed: an
            unrecognized field is rejected with 400.
        max_retries (int | None): How many times to retry this call after a connection error, a
            timeout, 408, 409, 429 or a 5xx (see client.RetryPolicy); None: the client's max_retries;
            0: send it once.

    Raises:
        errors.UnexpectedBody: If the body of the response is not JSON or not the shape of the schema
            documented for its status.
        httpx.TimeoutException: If the request takes longer than Client.timeout (on its last attempt).
        httpx.HTTPError: Any other transport error; a connection error is raised after the last retry.

    Returns:
        AssistantObject | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            open_ai_beta=open_ai_beta,
            max_retries=max_retries,
        )
    ).parsed
