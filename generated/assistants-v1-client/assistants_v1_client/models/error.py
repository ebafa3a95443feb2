from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import json_str

T = TypeVar("T", bound="Error")


@_attrs_define
class Error:
    """What went wrong."""

    message: str
    """ A human-readable description of the error. """

    type_: str
    """ The kind of error, for example `invalid_request_error`. """

    param: None | str
    """ The request parameter the error is about, or null. """

    code: None | str
    """ A machine-readable error code, or null. """

    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        type_ = self.type_

        param: None | str
        param = self.param

        code: None | str
        code = self.code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
                "type": type_,
                "param": param,
                "code": code,
            }
        )
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if not isinstance(src_dict, Mapping):
            raise TypeError(f"Error needs a JSON object, got {type(src_dict).__name__}")
        d = dict(src_dict)
        message = json_str(d.pop("message"))

        type_ = json_str(d.pop("type"))

        def _parse_param(data: object) -> None | str:
            if data is None:
                return data
            try:
                return json_str(data)
            except TypeError:
                pass
            raise TypeError(f"{type(data).__name__} fits none of None | str")

        param = _parse_param(d.pop("param"))

        def _parse_code(data: object) -> None | str:
            if data is None:
                return data
            try:
                return json_str(data)
            except TypeError:
                pass
            raise TypeError(f"{type(data).__name__} fits none of None | str")

        code = _parse_code(d.pop("code"))

        error = cls(
            message=message,
            type_=type_,
            param=param,
            code=code,
        )
        error.additional_properties = d
        return error

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
