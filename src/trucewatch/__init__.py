"""trucewatch: monitor and verify a ceasefire along a long front line."""

__version__ = "0.1.0"
