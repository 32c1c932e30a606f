"""Integrations: helpdesk webhooks in and out, e-mail import, bulk import/export."""
