"""funnelctl: a B2B sales pipeline tracker over plain YAML files in git."""

__version__ = "0.1.0"
