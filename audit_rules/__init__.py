"""audit-rules: declarative compliance-audit rules for Chinese public-sector ledgers."""

__version__ = "0.1.0"
