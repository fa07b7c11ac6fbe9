"""OCNLI (original Chinese NLI, trained on train.50k.json; '-' labels skipped). Accuracy.

    python examples/clue_ocnli.py --demo
    python examples/clue_ocnli.py --data-dir ocnli_public --config bert/bert_config.json \\
        --checkpoint bert/bert_model.ckpt --vocab bert/vocab.txt --output-dir outputs/ocnli

See examples/README.md for every option and the published dev scores.
"""

from clue import readers, training
from clue.tasks import SentenceClassification

TASK = SentenceClassification("ocnli", "OCNLI", readers.load_sentence_pairs,
                              files={"train": ["train.50k.json", "train.json"]})

if __name__ == "__main__":
    training.main(TASK)
