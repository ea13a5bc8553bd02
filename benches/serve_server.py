"""The two servers of ``test_bench_serve.py``, each run in its own process:

    python benches/serve_server.py hansieve PORT   # `hansieve serve`'s app, default settings
    python benches/serve_server.py empty PORT      # a bare Starlette app: POST /empty -> {}

Both with the uvicorn settings `hansieve serve` uses (`hansieve.serve.runner.uvicorn_options`):
one process, uvloop and httptools when installed, no server header, no uvicorn access log. The
empty app has none of hansieve's middleware (metrics, access log): the ratio measures everything
the service adds to the bare framework, not only the scan.
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from hansieve.serve import ServeConfig, create_app
from hansieve.serve.logs import configure_logging
from hansieve.serve.runner import uvicorn_options


async def empty(request):
    return Response(b"{}", media_type="application/json")


def main(kind: str, port: int) -> None:
    config = ServeConfig(port=port)          # the defaults of `hansieve serve`
    configure_logging(config.log_level)
    app = create_app(config) if kind == "hansieve" else Starlette(
        routes=[Route("/empty", empty, methods=["POST"])])
    uvicorn.run(app, **uvicorn_options(config))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
