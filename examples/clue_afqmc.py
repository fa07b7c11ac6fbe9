"""AFQMC (Ant Financial question matching): does sentence2 ask what sentence1 asks? Accuracy.

    python examples/clue_afqmc.py --demo
    python examples/clue_afqmc.py --data-dir afqmc_public --config bert/bert_config.json \\
        --checkpoint bert/bert_model.ckpt --vocab bert/vocab.txt --output-dir outputs/afqmc

See examples/README.md for every option and the published dev scores.
"""

from clue import readers, training
from clue.tasks import SentenceClassification

TASK = SentenceClassification("afqmc", "AFQMC", readers.load_sentence_pairs)

if __name__ == "__main__":
    training.main(TASK)
