"""autotriage: self-improving support-ticket triage."""

__version__ = "0.1.0"
