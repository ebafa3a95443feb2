from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.function_tool_type import FunctionToolType

T = TypeVar("T", bound="FunctionTool")


@_attrs_define
class FunctionTool:
    """A function the model may call."""

    function: FunctionDefinition
    """ The definition of a function the model may call. """

    type_: FunctionToolType = FunctionToolType.FUNCTION
    """ The type of tool being defined, always `function`. """

    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        function = self.function.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "function": function,
            }
        )
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if not isinstance(src_dict, Mapping):
            raise TypeError(f"FunctionTool needs a JSON object, got {type(src_dict).__name__}")
        d = dict(src_dict)
        type_ = FunctionToolType(d.pop("type"))

        function = FunctionDefinition.from_dict(d.pop("function"))

        function_tool = cls(
            type_=type_,
            function=function,
        )
        function_tool.additional_properties = d
        return function_tool

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
from ..models.function_definition import FunctionDefinition
