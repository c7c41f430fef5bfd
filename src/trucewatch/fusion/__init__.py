"""The fusion engine: observations in, located, assessed incidents out (pure; no I/O).

``engine`` (batch pipeline), ``streaming`` (the same, incrementally), and the evidence
model: ``confidence`` (Admiralty gradings), ``coverage`` (silence of arrays),
``calibration`` (the fitted confidence model) and ``attribution`` (who fired).
"""
