from enum import StrEnum


class CreateAssistantOpenAIBeta(StrEnum):
    ASSISTANTSV1 = "assistants=v1"

    def __str__(self) -> str:
        return str(self.value)
