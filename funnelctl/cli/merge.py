"""(being written)"""

from __future__ import annotations

from funnelctl.cli.app import app  # noqa: F401
