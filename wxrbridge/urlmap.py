"""Old and new URL prefixes, for a blog that moved domain (``--url-map``).

Used wherever links from one copy of a site are matched against another:
the store's Disqus and Blogger merges and the WordPress database writer alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class UrlMap:
    """Old and new URL prefixes, for a blog that moved (a whole URL is a
    prefix too: a permalink that changed)."""

    prefixes: list[tuple[str, str]] = field(default_factory=list)

    def apply(self, url: str | None) -> str | None:
        """The URL with the longest old prefix it starts with made new."""
        if not url:
            return url
        found = max(
            (pair for pair in self.prefixes if url.startswith(pair[0])),
            key=lambda pair: len(pair[0]),
            default=None,
        )
        if found is None:
            return url
        old, new = found
        return new + url[len(old) :]

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
