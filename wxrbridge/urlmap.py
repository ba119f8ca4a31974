"""Old and new URL prefixes, for a blog that moved domain (``--url-map``).

Used wherever links from one copy of a site are matched against another:
the store's Disqus merge and the WordPress database writer alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class UrlMap:
    """Old and new URL prefixes, for a blog that moved."""

    prefixes: list[tuple[str, str]] = field(default_factory=list)

    def apply(self, url: str | None) -> str | None:
        if not url:
            return url
        for old, new in self.prefixes:
            if url.startswith(old):
                return new + url[len(old) :]
        return url

    @classmethod
    def parse(cls, text: str) -> UrlMap:
        """One ``OLD NEW`` pair per line; blank lines and ``#`` comments skipped."""
        prefixes = []
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) != 2:
                raise ValueError(f"line {number}: expected 'OLD_PREFIX NEW_PREFIX', got {line!r}")
            prefixes.append((parts[0], parts[1]))
        return cls(prefixes)
