"""The app: the Textual user interface of Sobesednik (the desk and the kiosk).

Screens (:mod:`tui.app.screens`) show the state of a :class:`tui.engine.session.Session`
and hand answers back to it; they hold no interview logic of their own, and they ask for
the next screen by posting :mod:`tui.app.messages`, which :class:`tui.app.app.SobesednikApp`
handles. Pieces screens share live in :mod:`tui.app.widgets`.

May import rendering, the store and the engine; never the CLI. No screen or widget
imports the app, and no screen another screen. Importing this package imports nothing
heavy: the app lives in :mod:`tui.app.app`.
"""
