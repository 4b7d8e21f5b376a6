"""Evidence management: what happens to verified body-cam evidence after it arrives.

Retention categories and legal holds (`retention*`, `holds*`), redacted derivatives
(`redaction*`), share links for outside parties (`sharing*`), and the signed court package
(`package*`). The files themselves are kept by uploads (server/uploads/evidence) and every step
is an entry on the recording's custody log (server/custody).
"""
