"""The reference server under a chosen uvicorn HTTP stack, so the load benchmark can compare stacks.

Usage: python -m bench.reference_server PORT HTTP LOOP   (e.g. 8000 h11 asyncio, 8000 httptools uvloop)
`python -m contract_tests.server` itself leaves the choice to uvicorn ("auto": the fast stack when
installed). The API key comes from $ASSISTANTS_API_KEY.
"""

from __future__ import annotations

import os
import sys

import uvicorn

from contract_tests.server import create_app


def main(port: int, http: str, loop: str) -> None:
    app = create_app(api_key=os.environ["ASSISTANTS_API_KEY"])
    uvicorn.run(app, host="127.0.0.1", port=port, http=http, loop=loop, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3])
