"""Shared test settings.

Hypothesis runs without a deadline: the machine is shared, and a slow example is not a bug.
``HYPOTHESIS_PROFILE=thorough`` raises the example counts of the property tests.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "thorough", deadline=None, max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
