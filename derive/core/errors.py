"""The one exception type the library raises for bad input; the CLI prints it in one line."""
from __future__ import annotations


class DeriveError(ValueError):
    """Bad input or an impossible request: the message is one line a user can act on."""
