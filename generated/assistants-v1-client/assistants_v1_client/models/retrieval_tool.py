from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.retrieval_tool_type import RetrievalToolType

T = TypeVar("T", bound="RetrievalTool")


@_attrs_define
class RetrievalTool:
    """The retrieval tool, which searches the files attached to the assistant."""

    type_: RetrievalToolType = RetrievalToolType.RETRIEVAL
    """ The type of tool being defined, always `retrieval`. """

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
            raise TypeError(f"RetrievalTool needs a JSON object, got {type(src_dict).__name__}")
        d = dict(src_dict)
        type_ = RetrievalToolType(d.pop("type"))

        retrieval_tool = cls(
            type_=type_,
        )
        retrieval_tool.additional_properties = d
        return retrieval_tool

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
