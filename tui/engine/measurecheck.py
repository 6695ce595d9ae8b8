"""Static checks of the measure catalog as the plan merges it (``sobesednik check``).

A plan merges the chosen measures of one ``action`` into one (:mod:`tui.engine.plan`), and
the client's copy lists every measure that is not the centre's own work in its ``client``
words. So the catalog must say, for each measure the client reads, what the client reads;
and the measures of one action must agree on what the merged one is: the centre's own work
or the client's, a duty without an end date or one with a deadline, done at the interview
or later (else the merged deadline would be the interview day). Every problem names the
measure's ``file:line``; a disagreement names the first measure of the action too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tui.engine.model import ONGOING, Measure, Problem, Where


def measure_problems(measures: Iterable[Measure]) -> list[Problem]:
    """Every problem of the catalog's ``measures`` in the plan's terms."""
    measures = list(measures)
    return [*_own_problems(measures), *_action_problems(measures)]


def _problem(where: Where, message: str) -> Problem:
    return Problem(where.path, where.line, message)


def _own_problems(measures: list[Measure]) -> Iterator[Problem]:
    for m in measures:
        if not m.institutional and not (m.client or "").strip():
            yield _problem(
                m.where.at("id"),
                f"мера «{m.id}» для клиента, но без «client»: напишите шаг так, как его прочтёт "
                "клиент, простыми словами (или отметьте работу центра «institutional: true»)",
            )
        if m.ongoing is not None and m.deadline_days is not None:
            yield _problem(
                m.where.at("deadline_days"),
                f"мера «{m.id}»: «ongoing: {m.ongoing}» ({ONGOING[m.ongoing]}) и «deadline_days» "
                "вместе — у меры без срока не бывает срока; оставьте одно",
            )


def _when(m: Measure) -> str:
    """When a measure is due, as the merged measure would say it."""
    if m.ongoing is not None:
        return f"без срока («ongoing: {m.ongoing}»)"
    if m.deadline_days == 0:
        return "выполняется на приёме («deadline_days: 0»)"
    return "со сроком («deadline_days»)" if m.deadline_days is not None else "без срока"


def _kind(m: Measure) -> str:
    return "работа центра («institutional: true»)" if m.institutional else "шаг клиента"


def _action_problems(measures: list[Measure]) -> Iterator[Problem]:
    first: dict[str, Measure] = {}
    for m in measures:
        if m.action is None:
            continue
        lead = first.setdefault(m.action, m)
        if lead is m:
            continue
        at = f"«{lead.id}» ({lead.where.path}:{lead.where.at('id').line})"
        if m.institutional != lead.institutional:
            yield _problem(
                m.where.at("action"),
                f"мера «{m.id}» — {_kind(m)}, а {at} того же действия «{m.action}» — {_kind(lead)}: "
                "меры одного действия сливаются в одну и должны совпадать в «institutional»",
            )
        if (m.ongoing, m.deadline_days == 0) != (lead.ongoing, lead.deadline_days == 0):
            yield _problem(
                m.where.at("action"),
                f"мера «{m.id}» {_when(m)}, а {at} того же действия «{m.action}» {_when(lead)}: "
                "меры одного действия сливаются в одну и должны совпадать в «ongoing» "
                "и в том, выполняются ли на приёме",
            )
