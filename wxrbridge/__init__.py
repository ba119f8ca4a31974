"""wxrbridge: move blog comments between WordPress and Disqus, losing none."""

__version__ = "0.1.0"
