"""The package version (the ground floor: compile and cli import it without importing the package)."""

__version__ = "0.1.0"
