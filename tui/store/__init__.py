"""The store: where interviews are kept, and their lifecycle.

Owns the data directory's layout, the writers' lock, interview files (TinyDB), index
bucket logs, the search index and search, the audit trail, migrations, export, import,
backup, erasure and ``doctor``.

The parts, each a module here: :mod:`~tui.store.errors` (what goes wrong, in Russian),
:mod:`~tui.store.files` (atomic JSON files and their cache), :mod:`~tui.store.layout`
(where things are; keys derived from answers), :mod:`~tui.store.lock` (the writers'
lock), :mod:`~tui.store.lease` (an interview open in one window),
:mod:`~tui.store.journal` and :mod:`~tui.store.index` (the search index and its
durability), :mod:`~tui.store.bucketlog` (index buckets as logs),
:mod:`~tui.store.rebuild`, :mod:`~tui.store.search`, :mod:`~tui.store.audit`,
:mod:`~tui.store.migrations`, and :mod:`~tui.store.store`, the :class:`Store` facade that
the engine and the screens use. The lifecycle of stored data: :mod:`~tui.store.records`,
:mod:`~tui.store.export`, :mod:`~tui.store.importer`, :mod:`~tui.store.backup`,
:mod:`~tui.store.erase`, :mod:`~tui.store.consent`; the centre's settings
(:mod:`~tui.store.settings`), reminder calls (:mod:`~tui.store.reminders`); and
:mod:`tui.store.doctor`.

May import the engine (the scripts say which answers are personal); never imports
rendering, the app or the CLI, nor Textual or Rich.
"""

from tui.store.errors import DamagedFileError, InterviewBusyError, StoreError, describe_os_error
from tui.store.layout import COMPLETE, DRAFT, SCHEMA_VERSION
from tui.store.lease import Lease
from tui.store.records import OldInterview
from tui.store.search import InterviewSummary
from tui.store.store import IssuedPlan, Store, StoredInterview

__all__ = [
    "COMPLETE", "DRAFT", "SCHEMA_VERSION", "DamagedFileError", "InterviewBusyError",
    "InterviewSummary", "IssuedPlan", "Lease", "OldInterview", "Store", "StoreError", "StoredInterview",
    "describe_os_error",
]
