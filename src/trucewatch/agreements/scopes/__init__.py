"""What an agreement covers: one class per scope (``scope`` in the agreement file), in
:mod:`.registry`. A scope says which kinds of event count as fire (or strikes) and at
which places the agreement applies; clauses (:mod:`trucewatch.agreements.clauses`) use it.
"""
