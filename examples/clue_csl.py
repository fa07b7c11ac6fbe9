"""CSL (are all keywords the paper's own? keyword list paired with the abstract). Accuracy.

    python examples/clue_csl.py --demo
    python examples/clue_csl.py --data-dir csl_public --config bert/bert_config.json \\
        --checkpoint bert/bert_model.ckpt --vocab bert/vocab.txt --output-dir outputs/csl

See examples/README.md for every option and the published dev scores.
"""

from clue import readers, training
from clue.tasks import SentenceClassification

TASK = SentenceClassification("csl", "CSL", readers.load_csl)

if __name__ == "__main__":
    training.main(TASK)
