"""Starting uvicorn: one process, or `workers` processes that each build the app from the
settings put in the environment (uvicorn spawns them, so nothing else can be handed over)."""

from __future__ import annotations

import ipaddress
import os
import shutil
import tempfile
from typing import Any

import uvicorn

from .app import create_app
from .config import CONFIG_ENV, TOKEN_ENV, ServeConfig
from .logs import configure_logging, log
from .metrics import MULTIPROC_ENV


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def uvicorn_options(config: ServeConfig) -> dict[str, Any]:
    """The server settings (the benchmark starts its empty-endpoint server with the same)."""
    return dict(host=config.host, port=config.port, log_config=None, access_log=False,
                timeout_graceful_shutdown=config.graceful_timeout, ws_max_size=config.max_body_bytes,
                server_header=False, log_level=config.log_level, loop="auto", http="auto",
                ws="auto")


def run(config: ServeConfig) -> None:
    configure_logging(config.log_level)
    if not _is_loopback(config.host):
        log.warning("listening beyond this machine: put the service behind an authenticating "
                    "proxy", extra={"host": config.host})
    options = uvicorn_options(config)
    if config.workers == 1:
        uvicorn.run(create_app(config), **options)      # a broken lexicon raises before binding
        return
    # Compile once here too, so that a broken lexicon fails with one clear error instead of
    # every worker dying in turn.
    create_app(config)
    multiproc = tempfile.mkdtemp(prefix="hansieve-metrics-")
    os.environ[MULTIPROC_ENV] = multiproc
    os.environ[CONFIG_ENV] = config.to_json()
    if config.reload_token:
        os.environ[TOKEN_ENV] = config.reload_token
    try:
        uvicorn.run("hansieve.serve.app:app_from_env", factory=True, workers=config.workers,
                    **options)
    finally:
        shutil.rmtree(multiproc, ignore_errors=True)
