"""Rendering: turns a plan value (:class:`tui.engine.plan.Plan`) into a document.

Markdown today (:mod:`tui.render.markdown`); a new format is a new module here, with its
escaper for the values a template writes (:mod:`tui.render.escape`).
May import the engine; never the store, the app or the CLI, nor Textual or Rich.
"""
