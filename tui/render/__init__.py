"""Rendering: turns a plan value (:class:`tui.engine.plan.Plan`) into documents.

:func:`tui.render.view.document_view` decides what each copy says (the client's «Мои
шаги», the centre's copy); :func:`tui.render.documents.render_document` writes it in a
format from ``templates/plan/`` (md, txt, html, pdf and large print by WeasyPrint; docx,
ics, json by their modules). Each format has its escaper (:mod:`tui.render.escape`,
:mod:`tui.render.templating`); a centre's templates folder overrides the bundled one file
by file (:mod:`tui.render.checks` checks it). :mod:`tui.render.markdown` is the legacy
single Markdown plan (``templates/plan.md.j2``) the app shows until it renders the copies.
May import the engine; never the store, the app or the CLI, nor Textual or Rich.
"""
