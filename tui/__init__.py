"""Sobesednik: needs-assessment interviews for employment-centre clients.

The package is split into parts, each of which may import only the parts below it
(``docs/architecture.md``; enforced by the import contracts in ``pyproject.toml``)::

    cli      the command line
    app      the Textual screens
    render   plan documents          store   where interviews are kept
    engine   scripts, rules, interview, measure choice

``tui.fs`` (durable file writes), ``tui.paths`` (where things are) and ``tui.whoami``
(who is working) are shared by all and import nothing of the rest.
"""

__version__ = "0.1.0"
