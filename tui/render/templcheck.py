"""Static checks of the plan templates, for ``sobesednik check``: every problem as
``file:line: what``, before a plan is ever printed with them.

Each template of the bundled folder and of the centre's own folder (``--templates``,
``$SOBESEDNIK_TEMPLATES`` or the settings' ``templates``) is checked against what it is
rendered with:

- it compiles (Jinja's syntax, its filters and tests; for a Word template, the tags of
  its document, headers and footers as docxtpl turns them into Jinja);
- it names no variable the document does not give it (:func:`jinja2.meta`: a copy's
  template sees the document view of :func:`tui.render.view.document_view`, a group's
  fragment and the Markdown plan the facts of the interview; ``client.nmae`` is caught
  too, for a part of the view whose keys are known);
- an id it compares with a measure's or a group's ``id`` is one the catalog has, a
  question id it asks about (``asked('…')``, ``answer('…')``) one the scripts have, and a
  group's fragment (``groups/<id>.*.j2``) is of a group the scripts have;
- the fixed texts (``plan/texts.yaml``) read;
- and a sample plan renders in every text format and copy
  (:func:`tui.render.checks.check_templates`), for what only a rendering meets.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from tui.engine.expr import make_environment
from tui.engine.interview import Interview
from tui.engine.model import Bundle
from tui.engine.plan import Plan, PlannedMeasure, build_plan
from tui.render.templating import PlanError

#: Names Jinja gives every template.
_JINJA_GLOBALS = frozenset({"range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop", "self",
                            "varargs", "kwargs", "caller"})
#: What the HTML templates get besides the view.
_HTML_EXTRA = frozenset({"large"})
#: A sample of the centre's details: every detail filled in (their values do not matter).
_OFFICE = {
    "centre": {"name": "ЦЗН", "address": "адрес", "phone": "+7 000 000-00-00", "hours": "9–17"},
    "curator": {"login": "check", "full_name": "Ф И О", "position": "инспектор",
                "phone": "+7 000 000-00-00", "office": "1"},
}


@dataclasses.dataclass(frozen=True)
class Names:
    """What each kind of template is rendered with: the top-level names, and the keys of
    those that are mappings (``client`` → name, short_name, …)."""

    views: Mapping[str, Mapping[str, Any]]  # by copy
    facts: frozenset[str]
    measures: frozenset[str]
    groups: frozenset[str]
    questions: frozenset[str]

    def for_template(self, rel: str) -> tuple[frozenset[str], Mapping[str, Any]]:
        """The names a template at ``rel`` (inside a templates folder) sees, and the view
        whose nested keys are known (empty for a fragment)."""
        if rel.startswith("plan/"):
            copy = rel.split("/", 1)[1].split(".", 1)[0]
            chosen = [self.views[copy]] if copy in self.views else list(self.views.values())
            view: dict[str, Any] = {}
            for v in chosen:
                view.update(v)
            extra = _HTML_EXTRA if rel.endswith(".html.j2") else frozenset()
            return frozenset(view) | extra, view
        return self.facts, {}


def _sample_plan(bundle: Bundle) -> Plan:
    """A plan of an interview with no answer yet, with one measure (a copy without a
    measure is never printed): what every plan's templates are given, by name."""
    today = date.today()
    plan = build_plan(Interview(bundle, today), {"mode": "inspector", "id": "check", "inspector": "check",
                                                 "groups_confirmed": True})
    sample = PlannedMeasure(id="check", text="мера", responsible="both", responsible_label="клиент и ЦЗН",
                            deadline=today, at_interview=False, client="шаг")
    return dataclasses.replace(plan, measures=[sample])


def names_of(bundle: Bundle, templates: Path | None) -> Names:
    """What the templates of ``bundle``'s plans are rendered with."""
    from tui.render.markdown import template_context
    from tui.render.view import COPIES, document_view

    plan = _sample_plan(bundle)
    views = {copy: document_view(plan, copy, _OFFICE, templates, []) for copy in COPIES}
    return Names(
        views=views,
        facts=frozenset(template_context(plan)),
        measures=frozenset(m.id for m in bundle.measures),
        groups=frozenset(g.id for g in bundle.groups),
        questions=frozenset(bundle.questions()),
    )


# ------------------------------------------------------------------------------ one template


def _assigned(ast: nodes.Template) -> set[str]:
    """Names a template sets itself (``for``, ``set``, macros): never the document's."""
    out: set[str] = set()
    for node in ast.find_all((nodes.For, nodes.Assign, nodes.AssignBlock, nodes.Macro, nodes.With)):
        for target in node.find_all(nodes.Name):
            if target.ctx in ("store", "param"):
                out.add(target.name)
    return out


def _undefined(
    ast: nodes.Template, env: SandboxedEnvironment, known: frozenset[str]
) -> list[tuple[int, str]]:
    # A name the template sets in one branch is «undeclared» to Jinja: the template's own.
    missing = meta.find_undeclared_variables(ast) - known - set(env.globals) - _JINJA_GLOBALS - _assigned(ast)
    out = []
    for name in sorted(missing):
        line = next((n.lineno for n in ast.find_all(nodes.Name) if n.name == name), 0)
        out.append((line, f"в плане нет значения «{name}»"))
    return out


def _unknown_keys(ast: nodes.Template, view: Mapping[str, Any]) -> list[tuple[int, str]]:
    """``client.nmae``: an attribute of a part of the view whose keys are known."""
    assigned = _assigned(ast)
    out = []
    for node in ast.find_all(nodes.Getattr):
        base = node.node
        if not isinstance(base, nodes.Name) or base.name in assigned:
            continue
        part = view.get(base.name)
        if isinstance(part, Mapping) and node.attr not in part:
            out.append((node.lineno, f"в плане нет значения «{base.name}.{node.attr}»"))
    return out


def _compared_ids(ast: nodes.Template) -> Iterator[tuple[int, str]]:
    """Texts a template compares with an ``id``: ``m.id == 'x'``, ``'x' in m.merged``,
    ``selectattr('id', 'equalto', 'x')``."""
    for node in ast.find_all(nodes.Compare):
        left = node.expr
        for op in node.ops:
            right = op.expr
            if isinstance(left, nodes.Getattr) and left.attr == "id" and isinstance(right, nodes.Const):
                yield node.lineno, str(right.value)
            if (isinstance(left, nodes.Const) and isinstance(right, nodes.Getattr)
                    and right.attr in ("id", "merged")):
                yield node.lineno, str(left.value)
    for f in ast.find_all(nodes.Filter):
        consts = [a.value for a in f.args[:3] if isinstance(a, nodes.Const)]
        if f.name in ("selectattr", "rejectattr") and len(consts) == 3 and consts[0] == "id":
            yield f.lineno, str(consts[2])


#: The functions of a plan template that take a question id.
_BY_QUESTION = frozenset({"asked", "answer", "label", "labels"})


def _asked_ids(ast: nodes.Template) -> Iterator[tuple[int, str]]:
    """Question ids a template passes to ``asked``, ``answer``, ``label``, ``labels``."""
    for call in ast.find_all(nodes.Call):
        if (isinstance(call.node, nodes.Name) and call.node.name in _BY_QUESTION and call.args
                and isinstance(call.args[0], nodes.Const)):
            yield call.lineno, str(call.args[0].value)


def _ids(ast: nodes.Template, names: Names) -> list[tuple[int, str]]:
    known = names.measures | names.groups
    out = [(line, f"нет мероприятия или группы «{value}» (такого id нет в каталоге и сценариях)")
           for line, value in _compared_ids(ast) if value not in known]
    out += [(line, f"нет вопроса «{value}» в сценариях")
            for line, value in _asked_ids(ast) if value not in names.questions]
    return out


def check_source(source: str, rel: str, names: Names, env: SandboxedEnvironment) -> list[tuple[int, str]]:
    """The problems of one template's source (``rel``: its place in a templates folder),
    as (line, what)."""
    try:
        ast = env.parse(source, rel)
        env.compile(ast, rel)  # filters and tests that do not exist
    except TemplateSyntaxError as exc:
        return [(exc.lineno or 0, f"шаблон не компилируется: {exc.message or exc}")]
    known, view = names.for_template(rel)
    return [*_undefined(ast, env, known), *_unknown_keys(ast, view), *_ids(ast, names)]


# ------------------------------------------------------------------------------ a folder


def _fragment_group(rel: str) -> str | None:
    """The group of a fragment ``groups/<id>[.criteria|.disclosure].md.j2``."""
    if not rel.startswith("groups/"):
        return None
    gid = rel.split("/", 1)[1].split(".", 1)[0]
    return None if gid.startswith("_") else gid


def _files(folder: Path) -> Iterable[tuple[Path, str]]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and (path.suffix in (".j2", ".docx") or path.name == "texts.yaml"):
            yield path, path.relative_to(folder).as_posix()


def _check_file(path: Path, rel: str, names: Names, env: SandboxedEnvironment) -> list[str]:
    from tui.render.texts import read_texts

    if path.name == "texts.yaml":
        try:
            read_texts(path)
        except ValueError as exc:
            line, _, what = str(exc).partition(": ")
            return [f"{path}:{line}: {what}" if line.isdigit() else f"{path}: {exc}"]
        return []
    if path.suffix == ".docx":
        return _check_docx(path, rel, names, env)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{path}:0: шаблон не читается: {exc}"]
    problems = [f"{path}:{line}: {what}" for line, what in check_source(source, rel, names, env)]
    gid = _fragment_group(rel)
    if gid is not None and gid not in names.groups:
        problems.append(f"{path}:0: нет клиентской группы «{gid}»: этот файл никогда не используется")
    return problems


def _check_docx(path: Path, rel: str, names: Names, env: SandboxedEnvironment) -> list[str]:
    from tui.render.docx import docx_sources, paragraph_at

    try:
        sources = docx_sources(path)
    except PlanError as exc:
        return [f"{exc}"]
    out = []
    for source in sources:
        for line, what in check_source(source, rel, names, env):
            text = paragraph_at(source, line)
            out.append(f"{path}:{line}{f' (абзац «{text}»)' if text else ''}: {what}")
    return out


def check_templates(bundle: Bundle, own: Path | None = None) -> tuple[list[str], int]:
    """The problems of the bundled templates and of the centre's folder ``own``, each
    ``file:line: what``; and how many files were checked."""
    from tui.render.templating import bundled_dir

    try:
        names = names_of(bundle, own)
    except (PlanError, ValueError) as exc:  # the bundled texts or templates do not even render
        return [f"{bundled_dir()}: шаблоны плана не отрисовываются: {exc}"], 0
    env = make_environment()
    problems: list[str] = []
    checked = 0
    for folder in [bundled_dir(), *([own] if own is not None else [])]:
        for path, rel in _files(folder):
            checked += 1
            problems += _check_file(path, rel, names, env)
    return [*problems, *_rendered(bundle, own, names, problems)], checked


def _rendered(bundle: Bundle, own: Path | None, names: Names, found: list[str]) -> list[str]:
    """What rendering a sample plan in every text format and copy finds besides
    (:func:`tui.render.checks.check_templates`): an error only a rendering meets. A line
    the static checks named already is not named twice."""
    from tui.render.checks import check_templates as render_checks

    seen = {p.split(": ", 1)[0].split(" (", 1)[0] for p in found}
    plan = _sample_plan(bundle)
    out = []
    for folder in [None, *([own] if own is not None else [])]:
        for problem in render_checks(folder, names.measures, [plan], _OFFICE):
            where = problem.split(": ", 1)[0]
            if where not in seen and problem not in out and "нет мероприятия «" not in problem:
                out.append(problem)
    return out
