"""wxrbridge's version, in a module of its own: the writers put it in what
they write, and setup.cfg reads it, without importing anything else."""

__version__ = "0.1.0"
