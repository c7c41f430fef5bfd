"""The use cases: every action of the command line, the API and the demo lives here once,
with its permission check (:mod:`trucewatch.app.roles`). The faces (``cli``, ``api``)
parse input, call one use case and format its answer; they never touch the store's tables.
"""
