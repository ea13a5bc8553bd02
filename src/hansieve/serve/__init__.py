"""``hansieve serve``: the HTTP moderation service (``pip install "hansieve[serve]"``).

Starlette routes served by uvicorn; pydantic validates the request bodies (parsed from the raw
bytes); prometheus-client serves ``/metrics``; a :class:`hansieve.Reloader` keeps the lexicon in
step with its files. ``docs/serve.md`` describes the endpoints.

>>> from hansieve.serve import ServeConfig, create_app      # doctest: +SKIP
>>> app = create_app(ServeConfig(lexicon=("my_lexicon/",)))  # an ASGI app for any server
"""

from .config import ServeConfig

__all__ = ["ServeConfig", "create_app", "run"]


def __getattr__(name: str) -> object:
    # the app needs the serve extra; the config (and `hansieve serve --help`) does not
    if name == "create_app":
        from .app import create_app
        return create_app
    if name == "run":
        from .runner import run
        return run
    raise AttributeError(name)
