"""The parties' claims (docs/claims.md): records and their formats (:mod:`.model`,
:mod:`.read`), monitoring coverage (:mod:`.coverage`), the labels of claim items
(:mod:`.adjudicate`), aggregate claims against the estimated totals (:mod:`.aggregate`),
and the estimated number of violations per sector and day, seen or not (:mod:`.estimate`,
:mod:`.linkage`). Pure: no I/O, no store."""
