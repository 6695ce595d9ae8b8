"""Technical safety limits: how much of anything a person types or a file holds is read.

These are program constants, not domain numbers (ages, months, day counts live in the
scripts). They exist so that nothing typed, pasted or found in a file can end the app,
exhaust its memory, hang it or overflow a date. Each limit is far above what a real
interview, answers file or script needs; going past one gives the documented error
(``AnswerError``, ``ReplayError``, ``ScriptError``, ``ExpressionError``) with a message in
Russian, never a traceback.

The answer widgets import :data:`MAX_TEXT_ANSWER` and :data:`MAX_NUMBER_DIGITS` to bound
what an input box takes; :func:`tui.engine.values.coerce` enforces the same numbers.
"""

from __future__ import annotations

#: Characters of one text or long-text answer (after trimming the ends).
MAX_TEXT_ANSWER = 2000

#: Digits of an integer or number answer (the integer part and the fraction together).
MAX_NUMBER_DIGITS = 15

#: Bytes of an answers file (``replay``, ``classify``); a larger file is refused unread.
MAX_ANSWER_FILE_BYTES = 1024 * 1024

#: Bytes of one script file (``scripts/interview/**/*.yaml``) or plan template.
MAX_SCRIPT_FILE_BYTES = 1024 * 1024

#: Nesting of mappings and lists in a YAML file (scripts and answers files).
MAX_YAML_DEPTH = 40

#: Nesting of an expression: brackets, calls, operators inside operators.
MAX_EXPRESSION_DEPTH = 40

#: Characters of the source text of one expression or template string.
MAX_EXPRESSION_LENGTH = 4000

#: The largest exponent ``**`` takes in an expression.
MAX_POWER_EXPONENT = 64

#: Digits of any integer an expression makes (``10 ** 64`` has 65).
MAX_EXPRESSION_INT_DIGITS = 100

#: Items of a list, tuple or range an expression makes, characters of a string it makes.
MAX_EXPRESSION_SIZE = 10_000

#: Seconds one evaluation of an expression or template may take before it is stopped.
MAX_EVALUATION_SECONDS = 1.0

#: The years a date answer may fall in; plan dates are computed within this range too.
MIN_YEAR = 1900
MAX_YEAR = 2200
