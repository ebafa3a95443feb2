"""The reference server without state, as Prism mocks (`create_app(stateless=True)`, `assistants-contract
mock --stateless`): every request the spec allows is answered with its operation's success, whatever id it
names, and nothing is kept.

The body is the success response's own example where the spec gives one, else a value built from the
request and the response schema (success.py: what the request sets comes back, the server's fields get
values of their schemas); the id named by the path comes back in the object's id field where the schema
allows it, and a delete confirms it deleted. The request is still checked as the reference server checks
it (the key, the parameters, the body), so an id the spec's schema forbids is still refused.
"""

from __future__ import annotations

import copy
from typing import Any

from contract_tests.api.model import Api, Operation
from contract_tests.api.resources import Role
from contract_tests.api.values import NO_VALUE
from contract_tests.server.state import Answer, Call
from contract_tests.server.success import SuccessBody, documented_example, filled


def stateless_answer(api: Api, op: Operation, success: SuccessBody) -> Answer:
    """The answer of `op` without state: its success body, with the id the path names."""
    example = documented_example(api, op)
    pointer = op.success.schema_pointer
    role = api.role(op)
    id_name = id_parameter = None
    if role is not None and role[1] is not Role.CREATE:
        resource = role[0]
        names = {parameter.name for parameter in op.path_parameters}
        if resource.id_parameter in names and resource.id_pointer.count("/") == 1:
            id_parameter, id_name = resource.id_parameter, resource.id_pointer[1:]
    deletes = role is not None and role[1] is Role.DELETE

    def answer(call: Call) -> Any:
        if example is not NO_VALUE:
            body = copy.deepcopy(example)
        elif deletes:
            body = filled(api.values, pointer, {})  # the confirmation: `deleted` is true
        else:
            body = success.payload(call)
        if id_name is not None and id_parameter in call.path and isinstance(body, dict) and pointer:
            named = {**body, id_name: call.path[id_parameter]}
            if api.values.is_valid(pointer, named):
                body = named
        return body

    return answer
