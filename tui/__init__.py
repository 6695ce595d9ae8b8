"""Sobesednik: needs-assessment interviews for employment-centre clients.

The package is split in two layers:

* ``tui.core`` - interview scripts, the expression language, the engine, client-group
  rules, the store and plan rendering. It never imports Textual.
* ``tui.app`` - the Textual screens, which show engine state and hand answers back.
"""

__version__ = "0.1.0"
