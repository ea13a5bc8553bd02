"""The ASGI app: routes, request limits, errors, metrics and access logs.

Every request reads the current Sieve from the Reloader once and screens with it, so a reload
never changes the lexicon under a request (or a WebSocket stream) in flight. Single short
messages are screened on the event loop (a few microseconds); batches and long messages go to
a worker thread, where ``check_many`` scans in native threads without the GIL.
"""

from __future__ import annotations

import contextlib
import gc
import hmac
import time
import uuid
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

import anyio.to_thread
import orjson
from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from .._version import __version__
from .._core import Sieve
from ..lexicon import default_lexicon_path
from ..reload import Reloader
from .config import ServeConfig
from .logs import ACCESS, configure_logging, log
from .metrics import Metrics
from .moderation import clean_result, input_texts, moderation_result
from .schemas import (PASS_RESULT, CheckRequest, MaskRequest, ModerationRequest, StreamFrame,
                      describe, match_json, verdict_json)

#: a request body longer than this (a batch, a long message) is handled in a worker thread, off
#: the event loop
INLINE_MAX_BYTES = 8192
#: how much of an oversized body is still read (and dropped) so the client gets its 413 instead
#: of a reset connection while it is still sending
DRAIN_MAX_BYTES = 64 << 20


Handler = Callable[[Request], Awaitable[Response]]


class ApiError(Exception):
    """A 4xx answer, in OpenAI's error shape (the `openai` client raises it with the message)."""

    def __init__(self, status: int, message: str, code: str, param: str | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param


def error_response(status: int, message: str, code: str, param: str | None = None) -> Response:
    body = {"error": {"message": message, "type": "invalid_request_error" if status < 500
                      else "server_error", "param": param, "code": code}}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def json_response(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


class Service:
    """The state behind the routes: settings, the Reloader, the metrics."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.metrics = Metrics()
        paths: list[str | Path] = [*config.lexicon] or [default_lexicon_path()]
        self.reloader = Reloader(paths, interval=config.watch_interval or None,
                                 on_swap=self._swapped, on_error=self._refused)
        self.metrics.lexicon(self.reloader.version, len(self.reloader.sieve))
        self.clean_moderation = clean_result(PASS_RESULT)

    def _swapped(self, sieve: Sieve) -> None:
        gc.freeze()
        self.metrics.reloads.labels("ok").inc()
        self.metrics.lexicon(self.reloader.version, len(sieve))

    def _refused(self, exc: Exception) -> None:
        self.metrics.reloads.labels("refused").inc()

    # -- request bodies ------------------------------------------------------------------------

    async def body(self, request: Request) -> bytes:
        """The request body, refused with 413 past `max_body_bytes`, counted as the bytes
        arrive (a chunked body declares no length; uvicorn holds a declared one to its word).
        Read from the ASGI messages directly: Starlette's stream() costs more than a short
        message's whole screening."""
        limit = self.config.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                raise ApiError(400, "the client went away before sending the whole body",
                               "incomplete_body")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size <= limit:
                chunks.append(chunk)
            if not message.get("more_body", False) or size > DRAIN_MAX_BYTES:
                break
        if size > limit:
            raise ApiError(413, f"request body larger than the limit of {limit} bytes "
                           "(--max-body-bytes)", "body_too_large")
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def parse(self, model: type[BaseModel], body: bytes) -> Any:
        if not body.strip():
            raise ApiError(400, "empty request body: send a JSON object such as "
                           '{"input": "text"}', "empty_body")
        try:
            data = orjson.loads(body)   # refuses invalid UTF-8 and lone surrogates too
        except orjson.JSONDecodeError as exc:
            raise ApiError(400, f"invalid JSON: {exc}", "invalid_json") from None
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise ApiError(400, f"invalid request: {describe(exc)}", "invalid_request") from None

    def texts(self, value: Any, param: str = "input") -> list[str]:
        texts = input_texts(value)
        if len(texts) > self.config.max_batch:
            raise ApiError(400, f"{param} has {len(texts)} messages; the limit is "
                           f"{self.config.max_batch} (--max-batch)", "batch_too_large", param)
        limit = self.config.max_message_chars
        for i, t in enumerate(texts):
            if len(t) > limit:
                raise ApiError(400, f"{param}[{i}] has {len(t)} characters; the limit is {limit} "
                               "(--max-message-chars)", "message_too_long", f"{param}[{i}]")
        return texts

    async def offload(self, work: Callable[[bytes], Response], request: Request) -> Response:
        """`work(body)`: on the event loop for a short body (a few microseconds: a thread hop
        would cost more), else all of it in a worker thread, parsing and writing included, so
        that a batch is not handed between the event loop and a worker thread, each waiting
        for the GIL the other holds."""
        body = await self.body(request)
        if len(body) <= INLINE_MAX_BYTES:
            return work(body)
        return await anyio.to_thread.run_sync(work, body)

    def verdicts(self, texts: list[str]) -> list[Any]:
        sieve = self.reloader.sieve
        if len(texts) == 1:
            return [sieve.check(texts[0])]
        return sieve.check_many(texts, threads=self.config.threads)

    def results(self, endpoint: str, verdicts: list[Any], texts: list[str]) -> list[Any]:
        """hansieve's result per message (one shared object for the clean ones), and the
        metrics, in one pass."""
        out, flagged = [], []
        for v, t in zip(verdicts, texts):
            if v.matches:
                flagged.append(v.matches)
                out.append(verdict_json(v, t))
            else:
                out.append(PASS_RESULT)
        self.metrics.screened(endpoint, len(texts), flagged)
        return out

    def observed(self, endpoint: str, handler: Handler) -> Handler:
        """`handler` with its metrics and access-log line (a wrapper rather than a middleware:
        an ASGI layer around every send costs more than the whole screening of a message)."""
        metrics, access_log = self.metrics, self.config.access_log

        async def run(request: Request) -> Response:
            start = time.perf_counter()
            status = 500
            try:
                response = await handler(request)
                status = response.status_code
                return response
            except ApiError as exc:
                status = exc.status
                raise
            finally:
                seconds = time.perf_counter() - start
                metrics.observe(endpoint, status, seconds)
                if access_log:
                    ACCESS.info("request", extra={"method": request.method, "path": endpoint,
                                                  "status": status,
                                                  "ms": round(seconds * 1e3, 3)})
        return run

    # -- endpoints -----------------------------------------------------------------------------

    async def check(self, request: Request) -> Response:
        return await self.offload(self._check, request)

    def _check(self, body: bytes) -> Response:
        texts = self.texts(self.parse(CheckRequest, body).input)
        version = self.reloader.version
        verdicts = self.verdicts(texts)
        return json_response({"lexicon_version": version,
                              "results": self.results("/v1/check", verdicts, texts)})

    async def moderations(self, request: Request) -> Response:
        return await self.offload(self._moderations, request)

    def _moderations(self, body: bytes) -> Response:
        req = self.parse(ModerationRequest, body)
        texts = self.texts(req.input)
        verdicts = self.verdicts(texts)
        clean = self.clean_moderation
        results = [moderation_result(v, own, clean) for v, own in
                   zip(verdicts, self.results("/v1/moderations", verdicts, texts))]
        return json_response({"id": f"modr-{uuid.uuid4().hex}",
                              "model": req.model or f"hansieve-{__version__}",
                              "results": results})

    async def mask(self, request: Request) -> Response:
        return await self.offload(self._mask, request)

    def _mask(self, body: bytes) -> Response:
        req = self.parse(MaskRequest, body)
        texts = self.texts(req.input)
        sieve, char = self.reloader.sieve, req.char
        hits = sieve.find_many(texts, threads=self.config.threads) if len(texts) > 1 \
            else [sieve.find(texts[0])]
        # mask() finds again: cheaper than a second copy of its masking rules here, and only
        # messages with hits pay for it
        out = [(sieve.mask(t, char) if h else t, h) for t, h in zip(texts, hits)]
        self.metrics.screened("/v1/mask", len(out), [h for _, h in out if h])
        return json_response({"results": [{"text": m, "matches": len(h)} for m, h in out]})

    async def reload(self, request: Request) -> Response:
        token = self.config.reload_token
        if token is None:
            raise ApiError(403, "reload on request is off: start the server with a reload token "
                           "(--reload-token-file or HANSIEVE_RELOAD_TOKEN)", "reload_disabled")
        auth = request.headers.get("authorization", "")
        given = auth[7:] if auth[:7].lower() == "bearer " else ""
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise ApiError(401, "missing or wrong reload token (Authorization: Bearer TOKEN)",
                           "bad_token")
        ok = await anyio.to_thread.run_sync(self.reloader.reload)
        version, terms = self.reloader.version, len(self.reloader.sieve)
        if not ok:
            raise ApiError(422, f"lexicon refused, still serving version {version}: "
                           f"{self.reloader.last_error}", "lexicon_refused")
        return json_response({"reloaded": True, "lexicon_version": version, "terms": terms})

    async def healthz(self, request: Request) -> Response:
        return json_response({"status": "ok", "lexicon_version": self.reloader.version,
                              "terms": len(self.reloader.sieve), "version": __version__})

    async def metrics_page(self, request: Request) -> Response:
        return Response(self.metrics.render(), media_type=self.metrics.content_type)

    async def stream(self, ws: WebSocket) -> None:
        """``/v1/stream``: JSON messages ``{"text": chunk}`` (and ``{"end": true}``, possibly
        with a last chunk) in; per message out, the hits completed so far with offsets into the
        whole text, ``position`` and ``settled`` (no hit can start before it any more), as
        `Sieve.stream` gives them; after ``end``, the rest, then a normal close."""
        await ws.accept()
        start = time.perf_counter()
        stream = self.reloader.sieve.stream()
        status = "ok"
        limit = self.config.max_message_chars
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    status = "disconnected"
                    return
                text = message.get("text")
                if text is None:
                    status = await self._ws_error(ws, 1003, "send text frames holding JSON "
                                                  '{"text": "...", "end": false}')
                    return
                try:
                    frame = StreamFrame.model_validate_json(text)
                except ValidationError as exc:
                    status = await self._ws_error(ws, 1007, f"invalid message: {describe(exc)}")
                    return
                if len(frame.text) > limit:
                    status = await self._ws_error(ws, 1009, f"chunk of {len(frame.text)} "
                                                  f"characters; the limit is {limit}")
                    return
                hits = stream.feed(frame.text) if frame.text else []
                if frame.end:
                    hits += stream.close()
                self.metrics.messages.labels("/v1/stream").inc()
                self.metrics.count_hits(hits)
                reply = {"matches": [match_json(m) for m in hits], "position": stream.position,
                         "settled": stream.settled, "end": frame.end}
                await ws.send_text(orjson.dumps(reply).decode())
                if frame.end:
                    await ws.close(1000)
                    return
        except WebSocketDisconnect:
            status = "disconnected"
        finally:
            self.metrics.observe("/v1/stream", status, time.perf_counter() - start)

    async def _ws_error(self, ws: WebSocket, code: int, message: str) -> str:
        with contextlib.suppress(Exception):    # the client may be gone already
            await ws.send_text(orjson.dumps({"error": {"message": message, "code": code}}).decode())
            await ws.close(code, reason=message[:120])
        return f"error {code}"


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.code, exc.param)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error", exc_info=exc)
    return error_response(500, "internal error (logged)", "internal_error")


def create_app(config: ServeConfig | None = None) -> Starlette:
    """The ASGI app. Compiles the lexicon now: a broken one raises here, before any serving."""
    service = Service(config or ServeConfig())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        log.info("serving", extra={"lexicon_version": service.reloader.version,
                                   "terms": len(service.reloader.sieve),
                                   "lexicon": list(service.config.lexicon) or "bundled",
                                   "reload_on_request": service.config.reload_token is not None})
        # The lexicon and the segmenter's dictionary are ~250k long-lived objects: a full
        # collection walks them all (170 ms measured); frozen, the collector skips them.
        gc.freeze()
        try:
            yield
        finally:
            service.reloader.close()
            service.metrics.close()

    def http(path: str, handler: Handler, method: str) -> Route:
        return Route(path, service.observed(path, handler), methods=[method])

    async def http_error(request: Request, exc: Exception) -> Response:
        """404 and 405, raised by the router before any endpoint runs."""
        assert isinstance(exc, HTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        service.metrics.observe(service.metrics.endpoint(request.url.path), exc.status_code, 0.0)
        return error_response(exc.status_code,
                              f"{request.method} {request.url.path}: {exc.detail}", code)

    routes = [
        http("/v1/check", service.check, "POST"),           # the router tries them in order
        http("/v1/moderations", service.moderations, "POST"),
        http("/v1/mask", service.mask, "POST"),
        http("/v1/reload", service.reload, "POST"),
        http("/healthz", service.healthz, "GET"),
        http("/metrics", service.metrics_page, "GET"),
        WebSocketRoute("/v1/stream", service.stream),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={ApiError: _api_error, HTTPException: http_error,
                                        Exception: _server_error})
    app.state.service = service
    return app


def app_from_env() -> Starlette:
    """The factory uvicorn's worker processes call (``run`` with ``workers > 1``)."""
    config = ServeConfig.from_env()
    configure_logging(config.log_level)
    return create_app(config)

