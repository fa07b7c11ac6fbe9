"""TNEWS' (Toutiao news titles, 15 classes; labels from labels.json). Accuracy.

    python examples/clue_tnews.py --demo
    python examples/clue_tnews.py --data-dir tnews_public --config bert/bert_config.json \\
        --checkpoint bert/bert_model.ckpt --vocab bert/vocab.txt --output-dir outputs/tnews

See examples/README.md for every option and the published dev scores.
"""

from clue import readers, training
from clue.tasks import SentenceClassification

TASK = SentenceClassification("tnews", "TNEWS", readers.load_sentences)

if __name__ == "__main__":
    training.main(TASK)
