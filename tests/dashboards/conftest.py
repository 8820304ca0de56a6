"""The dashboard reads the same small known council as the performance pages."""

from tests.performance.conftest import council

__all__ = ["council"]
