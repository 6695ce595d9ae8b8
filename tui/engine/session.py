"""An interview session: the engine and the place its answers are kept, working together.

Screens (and tests) drive a :class:`Session`: they show :attr:`Session.current` and hand
back what the person typed with :meth:`Session.submit`. Each accepted answer is durable in
the store (any :class:`~tui.engine.ports.InterviewStore`) before ``submit`` returns, so the
next question is never shown before the last answer is on disk. Nothing is stored until
the consent question is answered «yes». The session knows no document format: it gives
the plan as a value (:meth:`Session.plan`) and is handed the rendered text to keep
(:meth:`Session.finish`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tui.engine import values
from tui.engine.interview import Interview
from tui.engine.model import Bundle, Question
from tui.engine.plan import Plan, build_plan
from tui.engine.plan_value import plan_value
from tui.engine.ports import HeldLease, InterviewStore
from tui.engine.replay import write_answers_file
from tui.engine.rules import ADD, REMOVE, UNDECIDED, GroupResult, Override

INSPECTOR, KIOSK = "inspector", "kiosk"


class ConsentRequired(Exception):
    """An answer given before the consent to the processing of personal data: the engine
    refuses to have it kept (``str()`` says so, in Russian)."""


class Session:
    def __init__(
        self,
        bundle: Bundle,
        store: InterviewStore,
        today: date,
        *,
        mode: str = INSPECTOR,
        inspector: str,
        record: Path | str | None = None,
        interview: Interview | None = None,
        iid: str | None = None,
    ) -> None:
        self.bundle = bundle
        self.store = store
        self.today = today
        self.mode = mode
        #: Who gives and records the answers (the audit trail's author).
        self.inspector = inspector
        self.record = Path(record) if record else None
        self.interview = interview or Interview(bundle, today, kiosk=mode == KIOSK)
        self.iid = iid
        self.current: Question | None = self.interview.first_pending()
        #: The computed groups the inspector last confirmed; ``None`` until confirmed.
        self.confirmed_groups: list[str] | None = None
        #: Holds the stored interview open for this process (see :meth:`InterviewStore.lease`).
        self.lease: HeldLease | None = None
        #: Who had worked on a resumed interview before this session opened it, first first.
        self.earlier_inspectors: list[str] = []

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def resume(
        cls,
        bundle: Bundle,
        store: InterviewStore,
        iid: str,
        *,
        mode: str = INSPECTOR,
        inspector: str,
        record: Path | str | None = None,
    ) -> Session:
        """Open the kept interview ``iid`` again, holding its lease."""
        lease = store.lease(iid, inspector=inspector, mode=mode)
        try:
            stored = store.load(iid)
        except BaseException:
            lease.release()
            raise
        interview = Interview.from_json(
            bundle, stored.interview_date, stored.answers, stored.header.get("group_overrides"),
            kiosk=mode == KIOSK,
        )
        session = cls(
            bundle, store, stored.interview_date, mode=mode, inspector=inspector,
            record=record, interview=interview, iid=iid,
        )
        confirmed = stored.header.get("groups_confirmed")
        session.confirmed_groups = list(confirmed["computed"]) if confirmed else None
        session.lease = lease
        session.earlier_inspectors = [str(i) for i in stored.header.get("inspectors") or []]
        store.add_inspector(iid, session.inspector)
        return session

    def close(self) -> None:
        """Let other processes open this interview (the app leaves it or ends)."""
        if self.lease is not None:
            self.lease.release()
            self.lease = None

    @property
    def consent_question(self) -> str | None:
        profile = self.bundle.profile
        if profile is None:
            return None
        first = next((q for q in profile.items() if isinstance(q, Question)), None)
        return first.id if first is not None else None

    @property
    def kiosk(self) -> bool:
        return self.mode == KIOSK

    # ------------------------------------------------------------------ navigation

    def submit(self, raw: Any, confirmed: bool = False) -> Question | None:
        """Validate and store the answer to the current question; move to the next one.

        Raises :class:`~tui.engine.values.AnswerError` (shown inline), or what the store
        raises when the answer could not be kept (the answer is then not taken). Returns
        the next question, or ``None`` when every applicable question is answered.
        """
        q = self.current
        if q is None:
            return None
        value = self.interview.check(q.id, raw, confirmed)
        self._persist(q, value)
        self.interview.set_value(q.id, value)
        self._record()
        self.current = self.interview.first_pending(after=q.id)
        return self.current

    def _persist(self, q: Question, value: Any) -> None:
        if self.iid is None:
            if q.id != self.consent_question:
                raise ConsentRequired("Нельзя сохранять ответы до согласия на обработку ПДн.")
            self.iid = self.store.create_interview(
                interview_date=self.today,
                scripts=self.bundle.version_tag,
                mode=self.mode,
                inspector=self.inspector,
                consent=self._consent_record(),
            )
            self.lease = self.store.lease(self.iid, inspector=self.inspector, mode=self.mode)
        self.store.save_answer(self.iid, q.id, values.to_json(q, value), self.inspector)

    def _consent_record(self) -> dict[str, Any]:
        consent = dict(self.bundle.profile.consent) if self.bundle.profile else {}
        return {
            "given": True,
            "at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "recorded_by": self.inspector,
            "text_version": consent.get("version"),
            "how": "на терминале самообслуживания" if self.kiosk else "подписано на бумаге",
            "categories": consent.get("categories", []),
        }

    def back(self) -> Question | None:
        """Go to the previous applicable question (its answer is shown for editing)."""
        if self.current is None:
            qs = self.interview.questions
            self.current = qs[-1] if qs else None
        else:
            prev = self.interview.previous(self.current.id)
            if prev is not None:
                self.current = prev
        return self.current

    def can_go_back(self) -> bool:
        return self.current is not None and self.interview.previous(self.current.id) is not None

    def back_to_profile(self) -> Question | None:
        """Go to the last profiling question asked (from the group confirmation, to correct
        a fact the groups follow from)."""
        profile = self.bundle.profile
        asked = [q for q in self.interview.questions if profile is not None and q.script is profile]
        if asked:
            self.current = asked[-1]
        return self.current

    def goto(self, qid: str) -> Question:
        if not self.interview.is_applicable(qid):
            raise KeyError(qid)
        self.current = self.interview.question(qid)
        return self.current

    def progress(self) -> tuple[int, int]:
        return self.interview.progress()

    def number(self, qid: str) -> int:
        """1-based position of ``qid`` among the applicable questions (0 if not asked)."""
        return self.interview.state.index(qid) + 1

    def is_answered(self, qid: str) -> bool:
        return qid in self.interview.state.answered

    def display(self, qid: str) -> str:
        """An answer as this session's reader sees it (a kiosk shows the plain labels)."""
        return values.display(self.interview.question(qid), self.interview.value(qid), kiosk=self.kiosk)

    def consent_text(self, qid: str) -> str:
        """The consent text shown with the consent question; empty for any other."""
        if qid != self.consent_question or self.bundle.profile is None:
            return ""
        return str(self.bundle.profile.consent.get("text") or "")

    @property
    def complete(self) -> bool:
        return self.interview.complete

    def value(self, qid: str) -> Any:
        return self.interview.value(qid)

    # ------------------------------------------------------------------ groups

    def computed_groups(self) -> list[str]:
        """The groups the rules found, before the inspector's overrides."""
        return [r.id for r in self.interview.classification.results if r.computed_member]

    @property
    def needs_group_confirmation(self) -> bool:
        """At the desk the inspector confirms the groups once the profile is complete, and
        again if a changed answer changes what the rules find. A kiosk has no inspector."""
        if self.kiosk or not self.interview.profile_complete:
            return False
        return self.confirmed_groups != self.computed_groups()

    def confirm_groups(self, decisions: Mapping[str, tuple[str, str]]) -> None:
        """Confirm the groups. ``decisions`` maps a group id to (``add``/``remove``, reason)
        for each group the inspector changes; any other earlier override is cleared.
        Raises ValueError (a Russian message) for a missing reason, or for adding a group
        that was not assessed (no separate consent to the data it is). A pointless change is
        ignored.
        Then :attr:`current` is the first question still without an answer (the first of
        the groups' modules, or an earlier one), or ``None`` when every answer is given."""
        at = datetime.now().astimezone().isoformat(timespec="seconds")
        overrides: dict[str, Override] = {}
        for gid, (action, reason) in decisions.items():
            result = self._decided(gid, action)
            if result.status == UNDECIDED and action == REMOVE:
                # Leaving an undecided group out is a decision too: kept, so that it is not
                # asked again over the same facts; a reason is welcome, not required.
                text = (reason or "").strip() or "Не подтверждено: группа не включена инспектором."
                overrides[gid] = Override(gid, action, text, self.inspector, at)
                continue
            if (action == ADD) == result.computed_member:
                continue  # no change against what the rules found
            if not reason or not reason.strip():
                raise ValueError(f"Укажите причину: почему {'добавлена' if action == ADD else 'исключена'} "
                                 f"группа «{result.title}».")
            overrides[gid] = Override(gid, action, reason.strip(), self.inspector, at)
        for gid in list(self.interview.overrides):
            self.interview.set_override(None, gid)
        for o in overrides.values():
            self.interview.set_override(o)
        computed = self.computed_groups()
        if self.iid is not None:
            self.store.save_group_confirmation(
                self.iid, overrides=[o.to_json() for o in overrides.values()],
                computed=computed, by=self.inspector,
            )
        self.confirmed_groups = computed
        self._record()
        # Continue with the first question still unanswered: an added group's module may
        # come before the one the interview was in.
        self.current = self.interview.first_pending()

    def _decided(self, gid: str, action: str) -> GroupResult:
        """The group an inspector's decision is about; ValueError if it cannot be taken."""
        result = self.interview.classification.get(gid)
        if result is None:
            raise ValueError(f"Нет клиентской группы «{gid}».")
        if action not in (ADD, REMOVE):
            raise ValueError(f"Неизвестное действие «{action}».")
        refusal = result.cannot_add() if action == ADD else None
        if refusal is not None:
            # Adding it «по документам» would process the data the client did not consent to.
            raise ValueError(refusal)
        return result

    # ------------------------------------------------------------------ plan

    def meta(self) -> dict[str, Any]:
        return {
            "id": self.iid,
            "inspector": None if self.kiosk else self.inspector,
            "mode": self.mode,
            "scripts": self.bundle.version_tag,
            "groups_confirmed": not self.needs_group_confirmation and not self.kiosk,
        }

    def plan(self) -> Plan:
        """The plan as it stands: the measures for the client's groups, the dates."""
        return build_plan(self.interview, self.meta())

    def finish(self, plan_text: str, plan: Plan | None = None) -> None:
        """Mark the interview complete, keeping ``plan_text`` (the plan as rendered), the
        groups and the plan's value (:func:`~tui.engine.plan_value.plan_value`, the
        centre's copy: its events are what reminder calls and calendars read without
        building the plan again); ``plan`` is the plan rendered (built again when not
        given). Raises what the store raises when it cannot."""
        if self.iid is not None:
            groups = [r.to_json() for r in self.interview.classification.results]
            value = plan_value(plan if plan is not None else self.plan(), "centre")
            self.store.complete(self.iid, groups=groups, plan=plan_text, by=self.inspector, value=value)

    # ------------------------------------------------------------------ recording

    def _record(self) -> None:
        if self.record is None:
            return
        inspector = None if self.kiosk else self.inspector
        overrides = [
            {"group": o.group, "action": o.action, "reason": o.reason}
            for o in self.interview.overrides.values()
        ]
        write_answers_file(self.record, self.interview.answers, self.today, inspector, overrides)
