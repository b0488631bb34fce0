"""Kept: values built once per key and kept across requests, at most `size` of them.

For what a page builds again and again from the same inputs (a list's SQL statement, the frame, the sidebar, a
filter's options): the key holds every input the value depends on, so a kept value is never stale. When full,
everything is forgotten at once: the keys in use come back on the next requests (no bookkeeping per read)."""


class Kept:
    def __init__(self, size: int):
        self.size = size
        self._values: dict = {}

    def get(self, key, build):
        """The value for `key`, built by build() the first time."""
        value = self._values.get(key)
        if value is None:
            if len(self._values) >= self.size:
                self._values.clear()
            value = self._values[key] = build()
        return value
