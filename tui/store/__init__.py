"""The store: where interviews are kept, and their lifecycle.

Owns the data directory's layout, the writers' lock, interview files (TinyDB), index
bucket logs, the search index and search, the audit trail, migrations, export, import,
backup, erasure and ``doctor``.

May import the engine (the scripts say which answers are personal); never imports
rendering, the app or the CLI, nor Textual or Rich.
"""

from tui.store.store import (
    COMPLETE,
    DRAFT,
    SCHEMA_VERSION,
    DamagedFileError,
    InterviewBusyError,
    InterviewSummary,
    Store,
    StoredInterview,
    StoreError,
)

__all__ = [
    "COMPLETE", "DRAFT", "SCHEMA_VERSION", "DamagedFileError", "InterviewBusyError",
    "InterviewSummary", "Store", "StoreError", "StoredInterview",
]
