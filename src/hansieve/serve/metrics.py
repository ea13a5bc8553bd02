"""Prometheus metrics (prometheus-client). With several workers, uvicorn runs them in separate
processes: prometheus-client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, set by `run`
before the workers start) sums the counters and histograms of all of them, and each worker's
lexicon version is a series of its own (``pid`` label), so a lagging worker shows."""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram,
                               generate_latest, multiprocess)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: endpoints with a series of their own; everything else is "other" (no label explosion)
ENDPOINTS = ("/v1/moderations", "/v1/check", "/v1/mask", "/v1/stream", "/v1/reload", "/healthz",
             "/metrics")
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                   5.0, 10.0)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.multiprocess = bool(os.environ.get(MULTIPROC_ENV))
        # a registry per app, so that several apps in one process do not collide
        self.registry = CollectorRegistry()
        reg = self.registry
        self.requests = Counter("hansieve_requests", "HTTP requests and WebSocket streams",
                                ["endpoint", "status"], registry=reg)
        self.latency = Histogram("hansieve_request_seconds", "Time from request to response",
                                 ["endpoint"], buckets=LATENCY_BUCKETS, registry=reg)
        self.messages = Counter("hansieve_messages", "Messages (and streamed chunks) screened",
                                ["endpoint"], registry=reg)
        self.flagged = Counter("hansieve_flagged_messages", "Messages with at least one hit",
                               ["endpoint"], registry=reg)
        self.hits = Counter("hansieve_hits", "Hits reported, by category and severity",
                            ["category", "severity"], registry=reg)
        self.reloads = Counter("hansieve_reloads", "Lexicon reloads: ok, or refused (the old "
                               "lexicon kept serving)", ["result"], registry=reg)
        self.lexicon_version = Gauge("hansieve_lexicon_version", "Lexicon version serving "
                                     "(1 at start, +1 per reload)", registry=reg,
                                     multiprocess_mode="liveall")
        self.lexicon_terms = Gauge("hansieve_lexicon_terms", "Terms in the lexicon serving",
                                   registry=reg, multiprocess_mode="liveall")
        # label lookups cost more than the increments: the children are kept
        self._latency = {e: self.latency.labels(e) for e in ENDPOINTS + ("other",)}
        self._requests: dict[tuple[str, int | str], Any] = {}
        self._messages = {e: self.messages.labels(e) for e in ENDPOINTS}
        self._hits: dict[tuple[str, str], Any] = {}

    def endpoint(self, path: str) -> str:
        return path if path in self._latency else "other"

    def observe(self, endpoint: str, status: int | str, seconds: float) -> None:
        child = self._requests.get((endpoint, status))
        if child is None:
            child = self._requests[endpoint, status] = self.requests.labels(endpoint, str(status))
        child.inc()
        self._latency[endpoint].observe(seconds)

    def screened(self, endpoint: str, messages: int, flagged: list[Any]) -> None:
        """Count `messages` screened; `flagged` holds the hits (lists of Match) of those with
        any."""
        self._messages[endpoint].inc(messages)
        if flagged:
            self.flagged.labels(endpoint).inc(len(flagged))
            for hits in flagged:
                self.count_hits(hits)

    def count_hits(self, hits: list[Any]) -> None:
        for m in hits:
            key = (m.category or "none", m.severity or "block")   # as Verdict counts it
            child = self._hits.get(key)
            if child is None:
                child = self._hits[key] = self.hits.labels(*key)
            child.inc()

    def lexicon(self, version: int, terms: int) -> None:
        self.lexicon_version.set(version)
        self.lexicon_terms.set(terms)

    def render(self) -> bytes:
        if self.multiprocess:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)

    def close(self) -> None:
        if self.multiprocess:
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
