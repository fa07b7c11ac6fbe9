"""CMRC2018 (span-extraction reading comprehension, SQuAD layout): start/end logits over the
tokens, answers mapped back to characters with Tokenizer.rematch, long contexts read in
overlapping windows. EM and F1 (CMRC2018's character-level definitions).

    python examples/clue_cmrc2018.py --demo
    python examples/clue_cmrc2018.py --data-dir cmrc2018_public --config bert/bert_config.json \
        --checkpoint bert/bert_model.ckpt --vocab bert/vocab.txt --maxlen 512 --batch-size 8
"""

from clue import training
from clue.spans import SpanExtraction

TASK = SpanExtraction()

if __name__ == "__main__":
    training.main(TASK)
