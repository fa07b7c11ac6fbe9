"""CMNLI (entailment / neutral / contradiction; pairs labelled '-' are skipped). Accuracy.

    python examples/clue_cmnli.py --demo
    python examples/clue_cmnli.py --data-dir cmnli_public --config bert/bert_config.json \\
        --checkpoint bert/bert_model.ckpt --vocab bert/vocab.txt --output-dir outputs/cmnli

See examples/README.md for every option and the published dev scores.
"""

from clue import readers, training
from clue.tasks import SentenceClassification

TASK = SentenceClassification("cmnli", "CMNLI", readers.load_sentence_pairs)

if __name__ == "__main__":
    training.main(TASK)
