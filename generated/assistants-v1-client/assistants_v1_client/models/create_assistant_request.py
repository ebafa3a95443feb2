from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset, json_list, json_str

T = TypeVar("T", bound="CreateAssistantRequest")


@_attrs_define
class CreateAssistantRequest:
    """The body of a create-assistant request. Closed: an unrecognized field is rejected with 400."""

    model: str
    """ ID of the model to use. You can use the List models API to see all of your available
    models, or see the Model overview for descriptions of them.
     """

    name: str
    """ The name of the assistant. The maximum length is 256 characters. """

    instructions: str
    """ The system instructions that the assistant uses. The maximum length is 256,000 characters.
     """

    tools: list[CodeInterpreterTool | FunctionTool | RetrievalTool]
    """ A list of tools enabled on the assistant. There can be a maximum of 128 tools per
    assistant. Tools can be of types `code_interpreter`, `retrieval`, or `function`.
     """

    description: None | str | Unset = UNSET
    """ The description of the assistant. The maximum length is 512 characters. Defaults to null.
     """

    file_ids: list[str] | Unset = UNSET
    """ A list of file IDs attached to this assistant. There can be a maximum of 20 files attached
    to the assistant. Defaults to an empty list.
     """

    metadata: Metadata | Unset = UNSET
    """ Set of 16 key-value pairs that can be attached to an object. Keys can be a maximum of 64
    characters long and values can be a maximum of 512 characters long.
     """

    def to_dict(self) -> dict[str, Any]:
        model = self.model

        name = self.name

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

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        file_ids: list[str] | Unset = UNSET
        if not isinstance(self.file_ids, Unset):
            file_ids = self.file_ids

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(
            {
                "model": model,
                "name": name,
                "instructions": instructions,
                "tools": tools,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if file_ids is not UNSET:
            field_dict["file_ids"] = file_ids
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if not isinstance(src_dict, Mapping):
            raise TypeError(f"CreateAssistantRequest needs a JSON object, got {type(src_dict).__name__}")
        d = dict(src_dict)
        model = json_str(d.pop("model"))

        name = json_str(d.pop("name"))

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

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                return json_str(data)
            except TypeError:
                pass
            raise TypeError(f"{type(data).__name__} fits none of None | str | Unset")

        description = _parse_description(d.pop("description", UNSET))

        _file_ids = d.pop("file_ids", UNSET)
        file_ids: list[str] | Unset
        if isinstance(_file_ids, Unset):
            file_ids = UNSET
        else:
            file_ids = [json_str(item) for item in json_list(_file_ids)]

        _metadata = d.pop("metadata", UNSET)
        metadata: Metadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = Metadata.from_dict(_metadata)

        create_assistant_request = cls(
            model=model,
            name=name,
            instructions=instructions,
            tools=tools,
            description=description,
            file_ids=file_ids,
            metadata=metadata,
        )
        return create_assistant_request


# Imported here, after the class, so that models which refer to each other import without a cycle.
from ..models.code_interpreter_tool import CodeInterpreterTool
from ..models.function_tool import FunctionTool
from ..models.metadata import Metadata
from ..models.retrieval_tool import RetrievalTool
