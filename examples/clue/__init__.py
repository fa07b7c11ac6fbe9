"""Shared pieces of the CLUE fine-tuning examples (``examples/clue_*.py``).

- :mod:`clue.readers`: read the official CLUE files exactly as CLUE ships them (no Keras).
- :mod:`clue.metrics`: accuracy, CMRC2018 EM/F1, entity F1 (no Keras).
- :mod:`clue.submission`: write and validate ``{task}_predict.json`` files (no Keras).
- :mod:`clue.demo_data`: a tiny dataset per task in its real file format, for ``--demo`` (no Keras).
- :mod:`clue.training`: the command line, the encoder, the optimizer, mixed precision, remat,
  data parallelism and the callback that keeps the best checkpoint by dev score.
- :mod:`clue.tasks`: the task kinds (sentence classification, multiple choice, span extraction,
  entity recognition) that the per-task scripts put together.
"""
