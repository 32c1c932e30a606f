"""Authentication, authorization, rate limits, request hardening and PII redaction (issue 9)."""
