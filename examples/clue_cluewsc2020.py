"""CLUEWSC2020 (does the pronoun refer to the noun? both spans marked in the text). Accuracy.

    python examples/clue_cluewsc2020.py --demo
    python examples/clue_cluewsc2020.py --data-dir cluewsc2020_public --config bert/bert_config.json \\
        --checkpoint bert/bert_model.ckpt --vocab bert/vocab.txt --output-dir outputs/cluewsc2020

See examples/README.md for every option and the published dev scores.
"""

from clue import readers, training
from clue.tasks import SentenceClassification

TASK = SentenceClassification("cluewsc2020", "CLUEWSC2020", readers.load_wsc)

if __name__ == "__main__":
    training.main(TASK)
