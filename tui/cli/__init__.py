"""The command line: ``sobesednik`` and its subcommands.

The top layer: may import every other part. Every error a user can cause ends as a
message on stderr and an exit code, never as a traceback.
"""

from tui.cli.main import main

__all__ = ["main"]
