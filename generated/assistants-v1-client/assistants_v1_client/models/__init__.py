"""Contains all the data models used in inputs/outputs"""

from .assistant_object import AssistantObject
from .assistant_object_object import AssistantObjectObject
from .assistant_response_format_type_0 import AssistantResponseFormatType0
from .code_interpreter_tool import CodeInterpreterTool
from .code_interpreter_tool_type import CodeInterpreterToolType
from .create_assistant_open_ai_beta import CreateAssistantOpenAIBeta
from .create_assistant_request import CreateAssistantRequest
from .error import Error
from .error_response import ErrorResponse
from .function_definition import FunctionDefinition
from .function_parameters import FunctionParameters
from .function_tool import FunctionTool
from .function_tool_type import FunctionToolType
from .metadata import Metadata
from .response_format_object import ResponseFormatObject
from .response_format_object_type import ResponseFormatObjectType
from .retrieval_tool import RetrievalTool
from .retrieval_tool_type import RetrievalToolType

__all__ = (
    "AssistantObject",
    "AssistantObjectObject",
    "AssistantResponseFormatType0",
    "CodeInterpreterTool",
    "CodeInterpreterToolType",
    "CreateAssistantOpenAIBeta",
    "CreateAssistantRequest",
    "Error",
    "ErrorResponse",
    "FunctionDefinition",
    "FunctionParameters",
    "FunctionTool",
    "FunctionToolType",
    "Metadata",
    "ResponseFormatObject",
    "ResponseFormatObjectType",
    "RetrievalTool",
    "RetrievalToolType",
)
