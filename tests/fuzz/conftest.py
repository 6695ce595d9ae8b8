"""Hypothesis profiles for the fuzz suite.

``make test`` runs the short ``ci`` profile; ``make fuzz`` runs ``deep`` (set by
``HYPOTHESIS_PROFILE=deep``) with many more examples per property.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile(
    "deep", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
