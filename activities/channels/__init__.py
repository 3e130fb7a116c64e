"""The channels that reach people: SMTP, webhooks, SMS providers and the local mail drop.

A channel raises `Refused` for what no retry can fix (no address, a malformed URL) and any
other exception for what a retry may (a server down, a 500); the delivery activity records
both and Temporal retries the second kind with backoff.
"""


class Refused(Exception):
    """Sending cannot succeed as configured: retrying would not help."""
