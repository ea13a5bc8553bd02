"""Where the public test data lives: ../shared/data beside the checkout (absent on a user's
machine, where tests that need it skip)."""

from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
