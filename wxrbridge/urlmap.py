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

    def __post_init__(self) -> None:
        # Old prefixes by length, longest first: a map with a line per
        # permalink is looked up in a few dictionary probes per URL, not
        # a scan of every line (the first line wins among equal ones).
        self._by_length: dict[int, dict[str, str]] = {}
        for old, new in self.prefixes:
            self._by_length.setdefault(len(old), {}).setdefault(old, new)
        self._lengths = sorted(self._by_length, reverse=True)

    def apply(self, url: str | None) -> str | None:
        """The URL with the longest old prefix it starts with made new."""
        if not url:
            return url
        for length in self._lengths:
            if length <= len(url):
                new = self._by_length[length].get(url[:length])
                if new is not None:
                    return new + url[length:]
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
