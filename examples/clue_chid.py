"""ChID (idiom cloze): every #idiomNNNNNN# blank of a passage is one question over the line's
candidates; answers come from the separate *_answer.json. Accuracy.

    python examples/clue_chid.py --demo
    python examples/clue_chid.py --data-dir chid_public --config bert/bert_config.json \
        --checkpoint bert/bert_model.ckpt --vocab bert/vocab.txt --maxlen 64 --batch-size 24
"""

import os

from clue import readers, training
from clue.tasks import MultipleChoice

FILES = {"train": ["train.json"], "dev": ["dev.json"], "test": ["test1.1.json", "test.json"]}


def load(task, data_dir, split):
    path = task.path(data_dir, split)
    answers = os.path.join(data_dir, f"{split}_answer.json")
    return readers.load_chid(path, answers if split != "test" else None)


def pair(sample, choice, maxlen):
    """The candidate written into its blank, in a window of text centred on the blank."""
    text, blank = sample["text"], sample["id"]
    at = text.index(blank)
    half = max(4, maxlen // 2 - len(choice))
    return choice, text[max(0, at - half) : at] + choice + text[at + len(blank) : at + len(blank) + half]


TASK = MultipleChoice("chid", "ChID", load, pair, FILES, submission_kind="json_object")

if __name__ == "__main__":
    training.main(TASK)
