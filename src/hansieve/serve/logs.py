"""Structured logs: one JSON object per line on stderr (python-json-logger), for hansieve's
loggers (requests, reloads) and uvicorn's alike."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

ACCESS = logging.getLogger("hansieve.serve.access")
log = logging.getLogger("hansieve.serve")


def configure_logging(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                       rename_fields={"asctime": "time", "levelname": "level",
                                                      "name": "logger"},
                                       # uvicorn's ANSI-coloured copy of the message
                                       reserved_attrs=[*RESERVED_ATTRS, "color_message"],
                                       json_ensure_ascii=False))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
