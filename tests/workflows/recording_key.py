"""The payload key of the recorded histories (tests/workflows/histories/).

A history recorded since payloads are sealed holds ciphertext: it replays only under the key
that sealed it. This key seals nothing but those fixtures, so it is kept here, in the open,
beside them; no deployment may configure it.
"""

RECORDING_KEY = "recorded-histories:daNDHzxneeJcsXabKDNb9vP/dq81MF/TiWuLG4DuYJ8="
