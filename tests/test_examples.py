"""The fine-tuning example trains for real (offline, tiny checkpoint) and learns its task."""

import os
import sys

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples")


def test_text_classification_example_learns_the_demo_task():
    sys.path.insert(0, EXAMPLES)
    try:
        import task_text_classification
    finally:
        sys.path.remove(EXAMPLES)
    accuracy = task_text_classification.main(["--demo"])
    assert accuracy >= 0.9
