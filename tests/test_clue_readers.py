"""The CLUE readers accept rows in each task's official format (hand-copied from the CLUE
downloads' documented layout), including the edge cases; metrics and submissions round-trip.

These tests import no Keras (the readers are plain Python).
"""

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
from clue import metrics, readers, submission  # noqa: E402


def lines(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def document(tmp_path, name, value):
    path = tmp_path / name
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_afqmc_pairs_and_test_ids(tmp_path):
    train = lines(tmp_path, "train.json", [{"sentence1": "双十一花呗提额在哪", "sentence2": "里可以提花呗额度", "label": "0"}])
    test = lines(tmp_path, "test.json", [{"id": 0, "sentence1": "花呗", "sentence2": "借呗"}, {"id": 1, "sentence1": "a", "sentence2": "b"}])
    assert readers.load_sentence_pairs(train) == [{"id": 0, "text_a": "双十一花呗提额在哪", "text_b": "里可以提花呗额度", "label": "0"}]
    assert [(s["id"], s["label"]) for s in readers.load_sentence_pairs(test)] == [(0, None), (1, None)]


@pytest.mark.parametrize("rows", [
    [{"sentence1": "新的权利已经足够好了", "sentence2": "每个人都很喜欢最新的福利", "label": "neutral"},
     {"sentence1": "甲", "sentence2": "乙", "label": "-"}],  # CMNLI
    [{"level": "medium", "sentence1": "身上裹一件工厂发的棉大衣,手插在袖筒里", "sentence2": "身上至少一件衣服", "label": "entailment",
      "label0": "entailment", "genre": "lit", "prem_id": "lit_635", "id": 0},
     {"level": "hard", "sentence1": "外贸经营权进一步放开", "sentence2": "外贸经营权经历了先收缩再放开的过程。", "label": "-",
      "genre": "gov", "prem_id": "gov_755", "id": 2}],  # OCNLI
])  # fmt: skip
def test_nli_readers_skip_pairs_without_agreement(tmp_path, rows):
    samples = readers.load_sentence_pairs(lines(tmp_path, "dev.json", rows))
    assert [s["label"] for s in samples] == [rows[0]["label"]]
    assert readers.label_set(str(tmp_path), samples) == [rows[0]["label"]]


def test_tnews_and_iflytek_labels_come_from_labels_json_in_file_order(tmp_path):
    lines(tmp_path, "labels.json", [{"label": "100", "label_desc": "news_story"}, {"label": "102", "label_desc": "news_entertainment"},
                                    {"label": "101", "label_desc": "news_culture"}])  # fmt: skip
    train = readers.load_sentences(lines(tmp_path, "train.json", [
        {"label": "102", "label_desc": "news_entertainment", "sentence": "江疏影甜甜圈自拍，迷之角度竟这么好看", "keywords": "江疏影,甜甜圈"}]))  # fmt: skip
    assert train[0]["text_a"].startswith("江疏影") and train[0]["label"] == "102"
    assert readers.label_set(str(tmp_path), train) == ["100", "102", "101"]
    iflytek = readers.load_sentences(lines(tmp_path, "i.json", [{"label": "110", "label_des": "社区超市", "sentence": "朴朴快送超市"}]))
    assert iflytek[0]["label"] == "110"


def test_wsc_marks_both_spans_by_offset():
    text = "这时候放在床上枕头旁边的手机响了，我感到奇怪，因为欠费已被停机两个月，现在它突然响了。"
    target = {"span2_index": 37, "span1_index": 5, "span1_text": "床", "span2_text": "它"}
    marked = readers.mark_wsc_spans(text, target)
    assert "_床_" in marked and "[它]" in marked and marked.replace("_", "").replace("[", "").replace("]", "") == text
    with pytest.raises(readers.CLUEFormatError, match="not at offset"):
        readers.mark_wsc_spans(text, {**target, "span1_index": 6})


def test_wsc_reader_uses_idx_when_there_is_no_id(tmp_path):
    row = {"target": {"span2_index": 37, "span1_index": 5, "span1_text": "床", "span2_text": "它"}, "idx": 261, "label": "false",
           "text": "这时候放在床上枕头旁边的手机响了，我感到奇怪，因为欠费已被停机两个月，现在它突然响了。"}  # fmt: skip
    assert readers.load_wsc(lines(tmp_path, "dev.json", [row]))[0]["id"] == 261


def test_csl_joins_the_keyword_list(tmp_path):
    row = {"id": 1, "abst": "为解决传统均匀FFT波束形成算法引起的3维声呐成像分辨率降低的问题", "keyword": ["水声学", "FFT", "波束形成", "3维成像声呐"], "label": "1"}
    (sample,) = readers.load_csl(lines(tmp_path, "train.json", [row]))
    assert sample == {"id": 1, "text_a": "水声学；FFT；波束形成；3维成像声呐", "text_b": row["abst"], "label": "1"}
    with pytest.raises(readers.CLUEFormatError, match="keyword"):
        readers.load_csl(lines(tmp_path, "bad.json", [{**row, "keyword": "水声学"}]))


def test_cmrc2018_keeps_every_reference_answer(tmp_path):
    context = "工商协进会报告，12月消费者信心上升到78.1，明显高于11月的72。"
    data = {"version": "v1.0", "data": [{"paragraphs": [{"id": "DEV_0", "context": context, "qas": [
        {"question": "12月的消费者信心指数是多少？", "id": "DEV_0_QUERY_0",
         "answers": [{"text": "78.1", "answer_start": 19}, {"text": "78.1", "answer_start": 19}, {"text": "上升到78.1", "answer_start": 16}]},
        {"question": "消费者信心指数由什么机构发布？", "id": "DEV_0_QUERY_1", "answers": [{"text": "工商协进会", "answer_start": 99}]},
    ]}], "id": "DEV_0", "title": "傻钱策略"}]}  # fmt: skip
    samples = readers.load_cmrc2018(document(tmp_path, "dev.json", data))
    assert [a["text"] for a in samples[0]["answers"]] == ["78.1", "78.1", "上升到78.1"]
    assert [a["start"] for a in samples[0]["answers"]] == [19, 19, 16]
    assert samples[1]["answers"][0]["start"] == 0  # a wrong answer_start is looked up in the context
    scores = metrics.cmrc2018_scores({"DEV_0_QUERY_0": "上升到78.1", "DEV_0_QUERY_1": "工商"},
                                     {s["id"]: [a["text"] for a in s["answers"]] for s in samples})  # fmt: skip
    assert scores["em"] == 0.5 and 0.5 < scores["f1"] < 1


def test_chid_gives_one_question_per_blank_with_the_answer_file(tmp_path):
    row = {"content": ["在轻舟发展过程之中，是去#idiom000379#？诚然，#idiom000380#远比随大流更辛苦。", "最近十年间，虚拟货币的发展可谓#idiom000381#。"],
           "candidates": ["百尺竿头", "随波逐流", "方兴未艾", "身体力行", "一日千里", "三十而立", "逆水行舟", "日新月异", "百花齐放", "沧海一粟"]}  # fmt: skip
    answers = document(tmp_path, "dev_answer.json", {"#idiom000379#": 1, "#idiom000380#": 6, "#idiom000381#": 7})
    samples = readers.load_chid(lines(tmp_path, "dev.json", [row]), answers)
    assert [(s["id"], s["label"]) for s in samples] == [("#idiom000379#", 1), ("#idiom000380#", 6), ("#idiom000381#", 7)]
    assert samples[0]["text"].count("#idiom") == 1 and "#idiom000379#" in samples[0]["text"]
    assert all(len(s["choices"]) == 10 for s in samples)
    assert [s["label"] for s in readers.load_chid(lines(tmp_path, "test.json", [row]))] == [None] * 3
    with pytest.raises(readers.CLUEFormatError, match="no answer for #idiom000381#"):
        readers.load_chid(lines(tmp_path, "dev.json", [row]), document(tmp_path, "a.json", {"#idiom000379#": 1, "#idiom000380#": 6}))


def test_c3_nested_lists(tmp_path):
    data = [[["男：你今天晚上有时间吗?我们一起去看电影吧?", "女：你喜欢恐怖片和爱情片，但是我喜欢喜剧片，科幻片一般。所以……"],
             [{"question": "女的最喜欢哪种电影?", "choice": ["恐怖片", "爱情片", "喜剧片", "科幻片"], "answer": "喜剧片"}], "25-35"],
            [["男：足球比赛是明天上午八点开始吧?", "女：因为天气不好，比赛改到后天下午三点了。"],
             [{"question": "根据对话，可以知道什么?", "choice": ["今天天气不好", "比赛时间变了", "校长忘了时间"], "answer": "比赛时间变了"}], "31-109"]]  # fmt: skip
    samples = readers.load_c3(document(tmp_path, "d-dev.json", data))
    assert [s["label"] for s in samples] == [2, 1] and [len(s["choices"]) for s in samples] == [4, 3]
    assert samples[0]["text"].startswith("男：你今天") and "女：你喜欢" in samples[0]["text"]
    test = [[["男：再见。"], [{"question": "他说什么?", "choice": ["再见", "你好"], "id": 17}], "1-1"]]
    assert readers.load_c3(document(tmp_path, "test1.1.json", test))[0]["id"] == 17


def test_cluener_entities_with_inclusive_ends(tmp_path):
    row = {"text": "浙商银行企业信贷部叶老桂博士则从另一个角度对五道门槛进行了解读。", "label": {"name": {"叶老桂": [[9, 11]]}, "company": {"浙商银行": [[0, 3]]}}}
    (sample,) = readers.load_cluener(lines(tmp_path, "train.json", [row]))
    assert sample["entities"] == [(0, 3, "company"), (9, 11, "name")]
    assert readers.entity_types([sample]) == ["company", "name"]
    assert submission.entities_to_clue(row["text"], sample["entities"]) == {"company": {"浙商银行": [[0, 3]]}, "name": {"叶老桂": [[9, 11]]}}
    with pytest.raises(readers.CLUEFormatError, match="is not at"):
        readers.load_cluener(lines(tmp_path, "bad.json", [{"text": row["text"], "label": {"name": {"叶老桂": [[8, 10]]}}}]))
    assert metrics.entity_f1([{(0, 3, "company")}], [set(sample["entities"])]) == {"precision": 1.0, "recall": 0.5, "f1": 2 / 3}


def test_submission_validation_catches_missing_ids_and_unknown_labels(tmp_path):
    path = submission.write_label_lines(str(tmp_path / "afqmc_predict.json"), [0, 1, 2], ["0", "1", "1"])
    assert submission.validate_label_lines(path, [0, 1, 2], ["0", "1"]) == 3
    with pytest.raises(ValueError, match="ids differ"):
        submission.validate_label_lines(path, [0, 1, 2, 3], ["0", "1"])
    with pytest.raises(ValueError, match="is not one of"):
        submission.validate_label_lines(path, [0, 1, 2], ["0"])
    chid = submission.write_json_object(str(tmp_path / "chid11_predict.json"), {"#idiom000001#": 3})
    assert submission.validate_json_object(chid, ["#idiom000001#"], int, num_choices=10) == 1


def test_missing_field_names_the_file_and_the_field(tmp_path):
    path = lines(tmp_path, "train.json", [{"sentence": "错了任务"}])
    with pytest.raises(readers.CLUEFormatError, match=r"train.json, record 0: no 'sentence1' field"):
        readers.load_sentence_pairs(path)
