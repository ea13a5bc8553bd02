"""``hansieve serve``: its options and entry point. Importing this needs only the standard
library, so ``hansieve --help`` works without the serve extra."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from .config import TOKEN_ENV, ServeConfig

EXAMPLES = """\
examples:
  hansieve serve                                  the bundled lexicon on http://127.0.0.1:8000
  hansieve serve --lexicon my_lexicon/ --port 9000 --workers 2
  HANSIEVE_RELOAD_TOKEN=$(openssl rand -hex 16) hansieve serve --lexicon my_lexicon/
  curl -s localhost:8000/v1/check -d '{"input": "他在练法輪功"}'

Endpoints: POST /v1/moderations (OpenAI's shape), /v1/check, /v1/mask, /v1/reload (with the
token); WebSocket /v1/stream; GET /healthz, /metrics. See docs/serve.md.
"""


def add_serve_parser(sub: Any) -> None:
    d = ServeConfig()
    p = sub.add_parser("serve", help="run the HTTP moderation service (pip install 'hansieve[serve]')",
                       description="Run the HTTP moderation service.", epilog=EXAMPLES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lexicon", action="append", metavar="PATH",
                   help="lexicon file or directory (repeatable; default: the bundled lexicon); "
                        "its files are watched and reloaded when they change")
    p.add_argument("--host", default=d.host,
                   help="address to listen on (default: %(default)s, this machine only)")
    p.add_argument("--port", type=int, default=d.port, help="default: %(default)s")
    p.add_argument("--workers", type=int, default=d.workers,
                   help="server processes (default: %(default)s)")
    p.add_argument("--reload-token-file", metavar="FILE",
                   help=f"turns on POST /v1/reload, which needs this token (or set {TOKEN_ENV}); "
                        "off by default")
    p.add_argument("--watch", type=float, default=d.watch_interval, metavar="SECONDS",
                   help="check the lexicon files for changes this often (default: "
                        "%(default)s; 0: never)")
    p.add_argument("--max-body-bytes", type=int, default=d.max_body_bytes,
                   help="request body limit, also per WebSocket message (default: %(default)s)")
    p.add_argument("--max-batch", type=int, default=d.max_batch,
                   help="messages per request (default: %(default)s)")
    p.add_argument("--max-message-chars", type=int, default=d.max_message_chars,
                   help="characters per message or streamed chunk (default: %(default)s)")
    p.add_argument("--threads", type=int, default=d.threads,
                   help="native threads per batch (default: 0, one per CPU)")
    p.add_argument("--graceful-timeout", type=float, default=d.graceful_timeout,
                   metavar="SECONDS", help="on SIGTERM, how long requests in flight may take to "
                   "finish (default: %(default)s)")
    p.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=d.access_log,
                   help="one JSON line per request on stderr (default: off; it costs about a third of "
                        "the throughput on short messages)")
    p.add_argument("--log-level", default=d.log_level,
                   choices=["critical", "error", "warning", "info", "debug"])
    p.set_defaults(run=run_serve)


class ServeError(Exception):
    pass


def _token(args: argparse.Namespace) -> str | None:
    if args.reload_token_file:
        try:
            with open(args.reload_token_file, encoding="utf-8") as fh:
                return fh.read().strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ServeError(f"cannot read the reload token file: {exc}") from None
    return os.environ.get(TOKEN_ENV) or None


def run_serve(args: argparse.Namespace) -> int:
    try:
        config = ServeConfig(lexicon=tuple(args.lexicon or ()), host=args.host, port=args.port,
                             workers=args.workers, reload_token=_token(args),
                             watch_interval=args.watch, max_body_bytes=args.max_body_bytes,
                             max_batch=args.max_batch, max_message_chars=args.max_message_chars,
                             threads=args.threads, graceful_timeout=args.graceful_timeout,
                             access_log=args.access_log, log_level=args.log_level)
    except (ValueError, ServeError) as exc:
        print(f"hansieve: serve: {exc}", file=sys.stderr)
        return 2
    try:
        from .runner import run
    except ImportError as exc:
        print(f"hansieve: serve needs the serve extra (pip install 'hansieve[serve]'): {exc}",
              file=sys.stderr)
        return 2
    run(config)      # lexicon errors (HansieveError, OSError) are reported by hansieve.cli.main
    return 0
