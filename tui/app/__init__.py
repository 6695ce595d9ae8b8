"""The Textual user interface of Sobesednik.

Screens show the state of a :class:`tui.engine.session.Session` and hand answers back to it;
they hold no interview logic of their own. Importing this package imports nothing heavy:
the app lives in :mod:`tui.app.app`.
"""
