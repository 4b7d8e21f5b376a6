"""Where verified evidence is kept: a directory (default, or shared by the nodes) or an
S3-compatible bucket, behind one interface (`base.EvidenceBackend`)."""
