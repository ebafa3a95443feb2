from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.assistant_object_object import AssistantObjectObject
from ..models.assistant_response_format_type_0 import AssistantResponseFormatType0
from ..types import json_float, json_int, json_list, json_str

T = TypeVar("T", bound="AssistantObject")


@_attrs_define
class AssistantObject:
    """An assistant: a purpose-built AI that uses a model and calls tools. Open: servers may add
    fields, and clients keep them.

    """

    id: str
    """ The identifier, which can be referenced in API endpoints. `x-unique`: the server assigns
    every assistant an id no other assistant has.
     """

    object_: AssistantObjectObject
    """ The object type, which is always `assistant`. """

    created_at: int
    """ The Unix timestamp (in seconds) for when the assistant was created. """

    name: str
    """ The name of the assistant. The maximum length is 256 characters. """

    description: None | str
    """ The description of the assistant, or null when it has none. """

    model: str
    """ ID of the model the assistant uses. """

    instructions: str
    """ The system instructions that the assistant uses. """

    tools: list[CodeInterpreterTool | FunctionTool | RetrievalTool]
    """ A list of tools enabled on the assistant. """

    file_ids: list[str]
    """ A list of file IDs attached to this assistant. """

    metadata: Metadata
    """ Set of 16 key-value pairs that can be attached to an object. Keys can be a maximum of 64
    characters long and values can be a maximum of 512 characters long.
     """

    top_p: float
    """ Nucleus sampling: the model considers the tokens comprising the top `top_p` probability
    mass. The API returns a number (for example `1` or `1.0`).
     """

    temperature: float
    """ The sampling temperature, between 0 and 2. Higher values make the output more random.
     """

    response_format: AssistantResponseFormatType0 | ResponseFormatObject
    """ The format the model must output: `"auto"` (the default), or an object naming `text` or
    `json_object`.
     """

    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_ = self.object_.value

        created_at = self.created_at

        name = self.name

        description: None | str
        description = self.description

        model = self.model

        instructions = self.instructions

        tools = []
        for tools_item_data in self.tools:
            tools_item: dict[str, Any]
            if isinstance(tools_item_data, CodeInterpreterTool):
                tools_item = tools_item_data.to_dict()
            elif isinstance(tools_item_data, RetrievalTool):
                tools_item = tools_item_data.to_dict()
            else:
                tools_item = tools_item_data.to_dict()

            tools.append(tools_item)

        file_ids = self.file_ids

        metadata = self.metadata.to_dict()

        top_p = self.top_p

        temperature = self.temperature

        response_format: dict[str, Any] | str
        if isinstance(self.response_format, AssistantResponseFormatType0):
            response_format = self.response_format.value
        else:
            response_format = self.response_format.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "object": object_,
                "created_at": created_at,
                "name": name,
                "description": description,
                "model": model,
                "instructions": instructions,
                "tools": tools,
                "file_ids": file_ids,
                "metadata": metadata,
                "top_p": top_p,
                "temperature": temperature,
                "response_format": response_format,
            }
        )
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if not isinstance(src_dict, Mapping):
            raise TypeError(f"AssistantObject needs a JSON object, got {type(src_dict).__name__}")
        d = dict(src_dict)
        id = json_str(d.pop("id"))

        object_ = AssistantObjectObject(d.pop("object"))

        created_at = json_int(d.pop("created_at"))

        name = json_str(d.pop("name"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            try:
                return json_str(data)
            except TypeError:
                pass
            raise TypeError(f"{type(data).__name__} fits none of None | str")

        description = _parse_description(d.pop("description"))

        model = json_str(d.pop("model"))

        instructions = json_str(d.pop("instructions"))

        _tools = d.pop("tools")
        tools: list[CodeInterpreterTool | FunctionTool | RetrievalTool]
        tools = []
        for tools_item_data in json_list(_tools):

            def _parse_tools_item(data: object) -> CodeInterpreterTool | FunctionTool | RetrievalTool:
                if not isinstance(data, dict):
                    raise TypeError(f"expected an object, got {type(data).__name__}")
                tag = data.get("type")
                if tag == "code_interpreter":
                    return CodeInterpreterTool.from_dict(data)
                if tag == "retrieval":
                    return RetrievalTool.from_dict(data)
                if tag == "function":
                    return FunctionTool.from_dict(data)
                raise ValueError(f"unknown type: {tag!r}")

            tools_item = _parse_tools_item(tools_item_data)

            tools.append(tools_item)

        _file_ids = d.pop("file_ids")
        file_ids: list[str]
        file_ids = [json_str(item) for item in json_list(_file_ids)]

        metadata = Metadata.from_dict(d.pop("metadata"))

        top_p = json_float(d.pop("top_p"))

        temperature = json_float(d.pop("temperature"))

        def _parse_response_format(data: object) -> AssistantResponseFormatType0 | ResponseFormatObject:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_assistant_response_format_type_0 = AssistantResponseFormatType0(data)

                return componentsschemas_assistant_response_format_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_assistant_response_format_type_1 = ResponseFormatObject.from_dict(data)

                return componentsschemas_assistant_response_format_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            raise TypeError(f"{type(data).__name__} fits none of AssistantResponseFormatType0 | ResponseFormatObject")

        response_format = _parse_response_format(d.pop("response_format"))

        assistant_object = cls(
            id=id,
            object_=object_,
            created_at=created_at,
            name=name,
            description=description,
            model=model,
            instructions=instructions,
            tools=tools,
            file_ids=file_ids,
            metadata=metadata,
            top_p=top_p,
            temperature=temperature,
            response_format=response_format,
        )
        assistant_object.additional_properties = d
        return assistant_object

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


# Imported here, after the class, so that models which refer to each other import without a cycle.
from ..models.code_interpreter_tool import CodeInterpreterTool
from ..models.function_tool import FunctionTool
from ..models.metadata import Metadata
from ..models.response_format_object import ResponseFormatObject
from ..models.retrieval_tool import RetrievalTool
