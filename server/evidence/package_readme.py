"""The README.txt of a court package: what is in it and how to check it, for whoever receives
it. It is listed in the signed manifest like any other file, so it cannot be swapped either."""

from __future__ import annotations

from typing import Final

from server.evidence.package_manifest import (
    MANIFEST_NAME,
    PUBLIC_KEY_NAME,
    README_NAME,
    SIGNATURE_NAME,
)
from server.evidence.signing import grouped

__all__ = ["README_NAME", "readme"]

_TEMPLATE: Final = """\
Posbon evidence package: incident {incident_id}

This ZIP holds the evidence of incident {incident_id} as the Posbon deployment that kept it
exported it: each recording's file, its custody log, and a signed manifest.

  {manifest:<22}what the package holds: each file's SHA-256 and size; each recording's
  {blank:<22}times, camera, device, uploader and custody facts; the incident; who
  {blank:<22}exported it and when
  {signature:<22}Ed25519 signature of {manifest}, by the deployment's key
  {public_key:<22}that key's public half (PEM)
  {item_dir:<22}original.* or redacted.* (the recording), custody.csv and
  {blank:<22}custody.pdf (its custody log, hash-chained)

Signing key fingerprint (SHA-256 of the raw Ed25519 public key):
  {fingerprint}

How to verify
1. Get the deployment's public key apart from this package (its operator prints it with
   `posbon evidence signing-key`) and check that its fingerprint is the one above.
2. With Posbon installed (no network or database is needed):
     posbon evidence verify-package THIS.zip --public-key KEY.pem
   It checks the signature, each file's size and SHA-256, that no file is missing or added,
   each custody log's hash chain and the head hash the manifest states, and that each file
   is the one the server verified on arrival. Without --public-key it uses {public_key},
   which proves the package intact but not who made it.
3. Without Posbon, OpenSSL 3 checks the signature and sha256sum the files:
     unzip THIS.zip -d package && cd package
     openssl pkeyutl -verify -pubin -inkey KEY.pem -rawin -in {manifest} -sigfile {signature}
     sha256sum items/*/*
   and compare each SHA-256 with the one {manifest} lists for that path.

The custody logs inside end at the moment of export; the export itself is the next entry on
each recording's log, naming the SHA-256 of {manifest}.
"""


def readme(incident_id: int, fingerprint: str) -> bytes:
    return _TEMPLATE.format(
        incident_id=incident_id,
        fingerprint=grouped(fingerprint),
        manifest=MANIFEST_NAME,
        signature=SIGNATURE_NAME,
        public_key=PUBLIC_KEY_NAME,
        item_dir="items/<recording>/",
        blank="",
    ).encode()
