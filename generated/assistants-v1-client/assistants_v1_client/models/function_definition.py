from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, json_str

T = TypeVar("T", bound="FunctionDefinition")


@_attrs_define
class FunctionDefinition:
    """The definition of a function the model may call."""

    name: str
    """ The name of the function to be called. Must be a-z, A-Z, 0-9, or contain underscores and
    dashes, with a maximum length of 64.
     """

    description: str | Unset = UNSET
    """ A description of what the function does, used by the model to choose when and how to call
    the function.
     """

    parameters: FunctionParameters | Unset = UNSET
    """ The parameters the function accepts, described as a JSON Schema object. Omitting it defines a
    function with an empty parameter list.
     """

    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description = self.description

        parameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if parameters is not UNSET:
            field_dict["parameters"] = parameters
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if not isinstance(src_dict, Mapping):
            raise TypeError(f"FunctionDefinition needs a JSON object, got {type(src_dict).__name__}")
        d = dict(src_dict)
        name = json_str(d.pop("name"))

        _description = d.pop("description", UNSET)
        description: str | Unset = UNSET if isinstance(_description, Unset) else json_str(_description)

        _parameters = d.pop("parameters", UNSET)
        parameters: FunctionParameters | Unset
        if isinstance(_parameters, Unset):
            parameters = UNSET
        else:
            parameters = FunctionParameters.from_dict(_parameters)

        function_definition = cls(
            name=name,
            description=description,
            parameters=parameters,
        )
        function_definition.additional_properties = d
        return function_definition

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
from ..models.function_parameters import FunctionParameters
