"""How each kind of clause is judged: one class per prohibition, in :mod:`.registry`.

A clause prohibits one or more activities (``prohibits`` in the agreement file); each
activity word names a :class:`~trucewatch.agreements.clauses.base.ClauseCheck` that lists
the checks an incident must pass for the clause to be broken. The shared checks (time,
zone) are in :mod:`.steps`; how the agreement's scope reads an event's kind and place is in
:mod:`trucewatch.agreements.scopes`.
"""
