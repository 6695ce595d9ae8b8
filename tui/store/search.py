"""Lists and search: which interviews a screen shows, read from the index and checked
against the interview files.

Every search reads only the index buckets that can match (one surname, or the surnames of
one letter folder that begin so; one phone ending; one birth date; the newest months'
drafts lists), then the matching interview files, newest first, up to the limit. Each hit
is checked against its file, so an index entry stale for a moment (a lost index write
until the journal is replayed) never shows the wrong client.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.store.errors import DamagedFileError, StoreError
from tui.store.files import read_json
from tui.store.header import list_field, status_of
from tui.store.index import Index
from tui.store.layout import (
    BUCKET_SUFFIX,
    COMPLETE,
    DRAFT,
    client_id,
    identity_of,
    interview_path,
    month_folders,
    norm_text,
    parse_query_date,
    phone_digits,
)


@dataclass(frozen=True, slots=True)
class InterviewSummary:
    """One interview as lists and search results show it: its header's dates, status and
    inspectors, and the client's identity answers; no other answer."""

    id: str
    status: str
    interview_date: str | None
    created_at: str | None
    updated_at: str | None
    completed_at: str | None
    mode: str | None
    inspectors: tuple[str, ...]
    #: The identity answers given (surname, first and middle name, birth date, phone).
    client: dict[str, Any]
    #: The same person's interviews share it (:func:`~tui.store.layout.client_id`);
    #: ``None`` without a surname and a birth date.
    client_id: str | None

    @property
    def complete(self) -> bool:
        return self.status == COMPLETE

    @classmethod
    def of(cls, header: dict[str, Any], identity: dict[str, Any]) -> InterviewSummary:
        """The summary of an interview file's header and identity answers (positional: a
        search builds dozens of these)."""
        get = header.get
        return cls(
            str(get("id")), status_of(header), get("interview_date"), get("created_at"),
            get("updated_at"), get("completed_at"), get("mode"),
            tuple(list_field(header, "inspectors")), dict(identity), client_id(identity),
        )


def read_summary(path: Path) -> InterviewSummary:
    """A summary straight from the file: no copy of the answers, and the parsed files
    of open interviews stay in the cache."""
    try:
        data = read_json(path)
    except DamagedFileError:
        raise
    except StoreError as exc:
        raise DamagedFileError(path, str(exc)) from exc
    header = (data.get("interview") or {}).get("1") if isinstance(data, dict) else None
    answers = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(header, dict) or not isinstance(answers or {}, dict):
        raise DamagedFileError(path, "нет заголовка интервью")
    return InterviewSummary.of({**header, "id": path.stem}, identity_of((answers or {}).values()))


class Search:
    """Lists and searches of one data directory, over its :class:`~tui.store.index.Index`
    (damaged files met go to the index's ``damaged``, the store's list)."""

    def __init__(self, root: Path, index: Index) -> None:
        self.root = root
        self.index = index

    def summaries(
        self,
        iids: Iterable[str],
        limit: int | None,
        keep: Callable[[InterviewSummary], bool] | None = None,
    ) -> list[InterviewSummary]:
        """Summaries of ``iids``, newest first; ``keep`` checks each against its file (an
        index entry can be stale after a power cut until the journal is replayed)."""
        out: list[InterviewSummary] = []
        for iid in sorted(set(iids), reverse=True):  # ids begin with the creation time
            if limit is not None and len(out) >= limit:
                break
            try:
                path = interview_path(self.root, iid)
            except StoreError:
                continue  # an index entry edited by hand; doctor sets the index right
            if not path.exists():
                continue  # removed since the index was written; doctor tidies the index
            try:
                summary = read_summary(path)
            except DamagedFileError as exc:
                self.index.note_damaged(exc)
                continue
            if keep is None or keep(summary):
                out.append(summary)
        return out

    def unfinished(self, limit: int | None = None) -> list[InterviewSummary]:
        """Unfinished interviews, the most recently started first (the newest months'
        lists are read first, and only as many as the limit needs)."""
        out: list[InterviewSummary] = []
        folder = self.root / "index" / "drafts"
        try:
            names = sorted(os.listdir(folder), reverse=True)
        except (FileNotFoundError, NotADirectoryError):
            return out
        for name in names:
            if not (name.endswith(BUCKET_SUFFIX) and name[:6].isdigit()):
                continue
            docs = self.index.bucket_entries(folder / name)
            out += self.summaries((d["iid"] for d in docs),
                                  None if limit is None else limit - len(out),
                                  lambda s: s.status == DRAFT)
            if limit is not None and len(out) >= limit:
                break
        return out

    def recent(self, limit: int = 20) -> list[InterviewSummary]:
        """The most recently started interviews, finished or not."""
        iids: list[str] = []
        for month in reversed(month_folders(self.root)):
            iids += [p.stem for p in month.glob("*.json")]
            if len(iids) >= limit:
                break
        return self.summaries(iids, limit)

    def find(self, text: str, limit: int = 50) -> list[InterviewSummary]:
        """Interviews of clients matching ``text``: a surname (or its beginning) with
        optional first and middle name, a phone (at least its last 4 digits) or a birth date.
        Newest first; reads only the index buckets that can match."""
        text = (text or "").strip()
        if not text:
            return []
        birth = parse_query_date(text)
        if birth:
            docs = self.index.bucket_entries(self.index.bucket_path("birth", birth))
            return self.summaries(
                (d["iid"] for d in docs), limit, lambda s: s.client.get("birth_date") == birth
            )
        if not re.search(r"[^\d\s()+.-]", text):
            return self._find_phone(phone_digits(text), limit)
        words = [w for w in (norm_text(w) for w in text.split()) if w]
        if not words:
            return []
        return self._find_name(words[0], words[1:], limit)

    def _find_phone(self, digits: str, limit: int) -> list[InterviewSummary]:
        if len(digits) < 4:
            return []
        docs = self.index.bucket_entries(self.index.bucket_path("phone", digits[-4:]))
        return self.summaries(
            (d["iid"] for d in docs if str(d.get("phone", "")).endswith(digits)), limit,
            lambda s: phone_digits(s.client.get("phone")).endswith(digits),
        )

    def _find_name(self, surname: str, rest: list[str], limit: int) -> list[InterviewSummary]:
        exact = self.index.bucket_path("name", surname)
        paths = [exact]
        with contextlib.suppress(OSError):  # the surnames that begin so, from one letter folder
            paths += sorted(
                exact.parent / n for n in os.listdir(exact.parent)
                if n.startswith(surname) and n.endswith(BUCKET_SUFFIX) and n != exact.name
            )

        def names_match(entry: dict[str, Any]) -> bool:
            names = [norm_text(entry.get("first_name")), norm_text(entry.get("middle_name"))]
            return all(any(n.startswith(w) for n in names) for w in rest)

        iids: list[str] = []
        for path in paths:
            if not path.exists():
                continue
            iids += [d["iid"] for d in self.index.bucket_entries(path) if names_match(d)]
            if len(iids) >= 2 * limit:
                break  # enough: the surname typed in full comes first, then those that begin so
        return self.summaries(
            iids, limit,
            lambda s: norm_text(s.client.get("last_name")).startswith(surname)
            and names_match(s.client),
        )

    def client_interviews(self, iid: str, identity: dict[str, Any]) -> list[InterviewSummary]:
        """Every interview of the client of ``iid``, whose identity answers are ``identity``
        (same surname, names and birth date)."""
        cid = client_id(identity)
        if cid is None:
            return self.summaries([iid], None)
        # The birth-date bucket is the smallest that holds every interview of the person.
        docs = self.index.bucket_entries(self.index.bucket_path("birth", identity["birth_date"]))
        return self.summaries(
            [*(d["iid"] for d in docs), iid], None, lambda s: s.client_id == cid
        )
