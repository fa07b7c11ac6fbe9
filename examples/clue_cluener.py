"""CLUENER2020 (fine-grained NER, 10 entity types): GlobalPointer over all spans, or a CRF over
BIO tags with --head crf. Entity-level micro F1.

    python examples/clue_cluener.py --demo
    python examples/clue_cluener.py --demo --head crf
    python examples/clue_cluener.py --data-dir cluener_public --config bert/bert_config.json \
        --checkpoint bert/bert_model.ckpt --vocab bert/vocab.txt --maxlen 64 --batch-size 16
"""

from clue import training
from clue.spans import EntityRecognition

TASK = EntityRecognition()

if __name__ == "__main__":
    training.main(TASK)
