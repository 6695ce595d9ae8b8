"""The engine: interview scripts and what follows from the answers.

Owns the script model and its loader, the expression language, static checks, answer
values and dates, interview navigation, the client-group rules, the choice of measures
(a plan *value*), the session's interview logic and replay files.

Never imports the store, rendering, the app or the CLI, nor Textual, Rich or TinyDB: it
talks to storage through the protocols in :mod:`tui.engine.ports`.
"""
