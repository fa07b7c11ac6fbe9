"""bert4keras's ``snippets.uniout``: made Python 2 print Chinese; a harmless no-op on Python 3.

Example:
    >>> from kerasformers.snippets import uniout  # noqa: F401
"""
