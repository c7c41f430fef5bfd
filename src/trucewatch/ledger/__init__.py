"""The record both parties can verify: an append-only Merkle log with signatures.

Modules, by role:

* :mod:`~trucewatch.ledger.merkle`: RFC 6962 / 9162 tree hashing, the in-memory incremental
  tree, inclusion and consistency proofs.
* :mod:`~trucewatch.ledger.entry`: the canonical bytes of a log entry and their strict decoder.
* :mod:`~trucewatch.ledger.signing`: Ed25519 keys, signed submissions, signed tree heads.
* :mod:`~trucewatch.ledger.verify`: the standalone verifier a party runs
  (``python -m trucewatch.ledger.verify``); standard library and ``cryptography`` only.
* :mod:`~trucewatch.ledger.audit`: re-verifying a whole log from its entries and tree heads.

Persistence is in :mod:`trucewatch.store.ledger`. This package imports nothing heavy (no
numpy, no SQLAlchemy), so the verifier stays light; import the modules themselves.
"""
