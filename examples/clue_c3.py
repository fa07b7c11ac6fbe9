"""C3 (multiple-choice reading comprehension over dialogues and texts): each choice is scored
with the context, question and choice together; softmax over the 2-4 choices. Accuracy.

    python examples/clue_c3.py --demo
    python examples/clue_c3.py --data-dir c3_public --config bert/bert_config.json \
        --checkpoint bert/bert_model.ckpt --vocab bert/vocab.txt --maxlen 512 --batch-size 4

Reads d-/m-train.json and d-/m-dev.json (dialogue and mixed-genre halves), test1.1.json.
"""

import os

from clue import readers, training
from clue.tasks import MultipleChoice

FILES = {"train": ["d-train.json", "m-train.json"], "dev": ["d-dev.json", "m-dev.json"], "test": ["test1.1.json", "test.json"]}


def load(task, data_dir, split):
    names = [n for n in FILES[split] if os.path.exists(os.path.join(data_dir, n))]
    if split == "test":
        names = names[:1]  # test1.1.json is the CLUE 1.1 test set; test.json an older name
    if not names:
        raise FileNotFoundError(f"{data_dir} has none of {FILES[split]} (C3 {split} split)")
    return [s for n in names for s in readers.load_c3(os.path.join(data_dir, n))]


def pair(sample, choice, maxlen):
    return sample["question"] + choice, sample["text"]  # the long context is what gets truncated


TASK = MultipleChoice("c3", "C3", load, pair, FILES, submission_kind="label_lines")

if __name__ == "__main__":
    training.main(TASK)
