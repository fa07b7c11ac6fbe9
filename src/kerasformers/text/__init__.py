"""Text helpers shared by the tokenizers (character classes, normalisation).

The public entry points live in :mod:`kerasformers.tokenizers` and
:mod:`kerasformers.snippets`; this package holds their building blocks.
"""
