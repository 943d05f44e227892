"""Awareness: rights tips and warnings that editors schedule (flows/awareness/), sent once to
every worker who asked for them (and only them), in their language, for their country.

- words.py: the words that opt in ("INFO", "langganan") and out ("STOP INFO", "berhenti info")
- consent.py: the worker's consent (when, which channel), audited; opting out withdraws
  what is still queued
- content.py: the editors' messages, validated against flows/schema/awareness.schema.json
- job.py: the scheduled job that queues each due message once per subscribed worker
- status.py: what the dashboard's page shows of each message
"""
