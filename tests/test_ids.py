"""Content identifiers (:mod:`trucewatch.ids`)."""

from __future__ import annotations

import hashlib

from trucewatch.ids import observation_uid, sha256_hex


def test_observation_uid_definition() -> None:
    expected = hashlib.sha256(b'patrol\n{"a": 1}\n2').hexdigest()
    assert observation_uid("patrol", '{"a": 1}', 2) == expected
    assert observation_uid("patrol", '{"a": 1}', 2) != observation_uid("patrol", '{"a": 1}', 1)
    assert observation_uid("firms", "x", 0) != observation_uid("patrol", "x", 0)
    assert sha256_hex("Київ") == hashlib.sha256("Київ".encode()).hexdigest()
