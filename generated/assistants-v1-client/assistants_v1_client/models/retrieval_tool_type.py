from enum import StrEnum


class RetrievalToolType(StrEnum):
    RETRIEVAL = "retrieval"

    def __str__(self) -> str:
        return str(self.value)
