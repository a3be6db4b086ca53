"""Test-wide settings. Tests stay fast and never time anything: speed lives in benchmarks/."""

from hypothesis import settings

# No per-example deadline: a loaded CI machine must not turn a slow example into a failure.
settings.register_profile("audit_rules", deadline=None, print_blob=True)
settings.load_profile("audit_rules")
