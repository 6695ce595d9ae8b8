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

#: Mappings, lists and values of one YAML file, each reference (``*name``) counted again.
MAX_YAML_NODES = 100_000

#: Characters of a number written in a YAML file; a longer one is read as text.
MAX_YAML_NUMBER_CHARS = 100

#: Nesting of an expression: brackets, calls, operators inside operators (the bundled
#: scripts need 9).
MAX_EXPRESSION_DEPTH = 30

#: Characters of one expression (``when``, ``rule``, ``compute``, …).
MAX_EXPRESSION_LENGTH = 4000

#: Characters of one text template of a script (``because``, ``detail``, a rule message).
MAX_TEMPLATE_LENGTH = 20_000

#: ``{% for %}`` loops inside one another in a text template of a script.
MAX_LOOP_NESTING = 2

#: The largest exponent ``**`` takes in an expression.
MAX_POWER_EXPONENT = 64

#: Digits of any integer an expression makes (``10 ** 64`` has 65).
MAX_EXPRESSION_INT_DIGITS = 100

#: Items of a list, tuple or range an expression makes, characters of a text it makes.
MAX_EXPRESSION_SIZE = 100_000

#: Characters one rendering of a template may write (a plan is about 10 000).
MAX_RENDERED_TEXT = 2_000_000

#: Seconds one evaluation of an expression or text of a script may take before it is stopped.
MAX_EVALUATION_SECONDS = 1.0

#: Seconds one rendering of a plan template may take.
MAX_RENDER_SECONDS = 10.0

#: Days after the interview a plan date may fall (``deadline_days``, attendance dates).
MAX_PLAN_DAYS = 36_600

#: The years a date answer may fall in; plan dates are computed within this range too.
MIN_YEAR = 1900
MAX_YEAR = 2200
