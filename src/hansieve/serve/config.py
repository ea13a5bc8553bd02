"""The service's settings: one frozen dataclass, handed to every worker process as JSON."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass

#: environment variable through which `run` hands the settings to uvicorn's worker processes
CONFIG_ENV = "HANSIEVE_SERVE_CONFIG"
#: environment variable holding the reload token (kept out of the command line and of `ps`)
TOKEN_ENV = "HANSIEVE_RELOAD_TOKEN"


@dataclass(frozen=True)
class ServeConfig:
    #: lexicon files or folders; empty: the bundled default lexicon
    lexicon: tuple[str, ...] = ()
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    #: ``POST /v1/reload`` needs ``Authorization: Bearer <token>``; None turns it off
    reload_token: str | None = None
    #: seconds between checks of the lexicon files' modification times; 0: no watching
    watch_interval: float = 2.0
    #: request body limit (bytes), and the WebSocket frame limit
    max_body_bytes: int = 1 << 20
    #: messages per request
    max_batch: int = 2048
    #: code points per message (and per streamed chunk)
    max_message_chars: int = 100_000
    #: native threads of check_many for a batch (0: one per CPU)
    threads: int = 0
    #: seconds that requests in flight get to finish after SIGTERM / SIGINT
    graceful_timeout: float = 10.0
    #: one JSON log line per request (off by default: formatting it costs about as much as
    #: the rest of a short request; /metrics counts requests in any case)
    access_log: bool = False
    log_level: str = "info"

    def __post_init__(self) -> None:
        problems = []
        if not 0 <= self.port <= 65535:
            problems.append(f"port {self.port} is not in 0-65535")
        for name in ("workers", "max_body_bytes", "max_batch", "max_message_chars"):
            if getattr(self, name) < 1:
                problems.append(f"{name.replace('_', '-')} must be at least 1, not {getattr(self, name)}")
        if self.threads < 0:
            problems.append(f"threads must be 0 (one per CPU) or more, not {self.threads}")
        if self.watch_interval < 0 or self.graceful_timeout < 0:
            problems.append("watch interval and graceful timeout cannot be negative")
        if self.reload_token is not None and len(self.reload_token) < 16:
            problems.append("the reload token must be at least 16 characters")
        if self.log_level not in ("critical", "error", "warning", "info", "debug"):
            problems.append(f"unknown log level {self.log_level!r}")
        if problems:
            raise ValueError("; ".join(problems))

    def to_json(self) -> str:
        """Everything but the token (`run` passes that in its own variable)."""
        data = dataclasses.asdict(self)
        data["reload_token"] = None
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> "ServeConfig":
        data = json.loads(text)
        data["lexicon"] = tuple(data.get("lexicon") or ())
        return cls(**data)

    @classmethod
    def from_env(cls) -> "ServeConfig":
        """The settings `run` put in the environment for the worker processes; the token comes
        from its own variable."""
        config = cls.from_json(os.environ[CONFIG_ENV]) if CONFIG_ENV in os.environ else cls()
        token = os.environ.get(TOKEN_ENV)
        return dataclasses.replace(config, reload_token=token) if token else config
