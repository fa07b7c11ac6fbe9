"""IFLYTEK' (app descriptions, 119 classes; labels from labels.json). Accuracy.

    python examples/clue_iflytek.py --demo
    python examples/clue_iflytek.py --data-dir iflytek_public --config bert/bert_config.json \\
        --checkpoint bert/bert_model.ckpt --vocab bert/vocab.txt --output-dir outputs/iflytek

See examples/README.md for every option and the published dev scores.
"""

from clue import readers, training
from clue.tasks import SentenceClassification

TASK = SentenceClassification("iflytek", "IFLYTEK", readers.load_sentences)

if __name__ == "__main__":
    training.main(TASK)
