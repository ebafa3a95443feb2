from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.code_interpreter_tool_type import CodeInterpreterToolType

T = TypeVar("T", bound="CodeInterpreterTool")


@_attrs_define
class CodeInterpreterTool:
    """The code interpreter tool, which writes and runs Python code."""

    type_: CodeInterpreterToolType = CodeInterpreterToolType.CODE_INTERPRETER
    """ The type of tool being defined, always `code_interpreter`. """

    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
            }
        )
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if not isinstance(src_dict, Mapping):
            raise TypeError(f"CodeInterpreterTool needs a JSON object, got {type(src_dict).__name__}")
        d = dict(src_dict)
        type_ = CodeInterpreterToolType(d.pop("type"))

        code_interpreter_tool = cls(
            type_=type_,
        )
        code_interpreter_tool.additional_properties = d
        return code_interpreter_tool

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
