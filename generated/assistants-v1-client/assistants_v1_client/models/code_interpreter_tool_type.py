from enum import StrEnum


class CodeInterpreterToolType(StrEnum):
    CODE_INTERPRETER = "code_interpreter"

    def __str__(self) -> str:
        return str(self.value)
