"""Evidence files: the tus upload flow, the evidence store, and reading verified files back
(playback, the check against their hash, the copy to a bucket).

It stands above custody and sync and may import both: a finished upload lands on the custody log
and tells devices through sync that its recording is verified. None of custody, sync or incidents
imports uploads; only the app, its state and the CLI compose it.
"""
