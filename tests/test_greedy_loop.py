"""``generate(method='greedy')``'s compiled loop (JAX) gives the ids of the step-by-step path.

On JAX every step after the prompt runs inside one ``jax.lax.while_loop``; on the other backends
``generate`` decodes step by step, so there both sides of each comparison take the same path. The
reference is bert4keras's greedy decoding, beam search with one beam, driven by a decoder whose
``predict`` asks ``last_token(model)`` (tests/test_generation.py checks that path against bert4keras).
"""

import keras
import numpy as np
import pytest
from test_generation import PROMPT, model_for

from kerasformers.generation import AutoRegressiveDecoder, find_builder, generate


class StepByStep(AutoRegressiveDecoder):
    """A bert4keras script's decoder: prompt plus output ids; output segment 1 under UniLM."""

    def __init__(self, model, unilm, **kwargs):
        super().__init__(**kwargs)
        self.model, self.unilm = model, unilm

    @AutoRegressiveDecoder.wraps(default_rtype="probas")
    def predict(self, inputs, output_ids, states):
        arrays = [np.concatenate([inputs[0], output_ids], 1)]
        if len(inputs) > 1:
            segments = np.ones_like(output_ids) if self.unilm else np.zeros_like(output_ids)
            arrays.append(np.concatenate([inputs[1], segments], 1))
        return self.last_token(self.model).predict(arrays)


def both(case, maxlen, end_id=None, minlen=1, min_ends=1):
    model = model_for(case)
    segments = [0] * len(PROMPT) if len(model.inputs) > 1 else None
    inputs = [PROMPT] + ([segments] if segments else [])
    decoder = StepByStep(model, case.endswith("unilm"), start_id=None, end_id=end_id, maxlen=maxlen, minlen=minlen)
    reference = decoder.beam_search(inputs, 1, min_ends=min_ends).tolist()
    looped = generate(model, PROMPT, segments, max_new_tokens=maxlen, end_id=end_id, min_new_tokens=minlen,
                      min_ends=min_ends).tolist()
    return looped, reference


def loops_compiled(case) -> int:
    builder, index, _ = find_builder(model_for(case))
    return len(builder._compiled_steps[index].__dict__.get("_greedy_loops", {}))


@pytest.mark.parametrize("case", ["gpt2", "bert_unilm", "nezha_gen"])
def test_loop_ids_equal_the_step_path_and_stop_at_the_end_token(case):
    looped, reference = both(case, 12)
    assert looped == reference and len(looped) == 12
    assert both(case, 0) == ([], []) and both(case, 1) == (reference[:1], reference[:1])
    end_id = reference[4]  # a token the search produces: with it as the end, the output stops early
    first_end = reference.index(end_id)
    for minlen, min_ends in [(1, 1), (first_end + 2, 1), (1, 2)]:
        looped, reference = both(case, 12, end_id, minlen, min_ends)
        assert looped == reference
        assert looped[-1] == end_id and looped.count(end_id) >= min_ends and len(looped) >= minlen
    if keras.backend.backend() == "jax":
        assert loops_compiled(case) >= 1  # the loop, not the step path, served generate()


def test_loop_raises_like_the_step_path_when_the_positions_run_out():
    # The tiny GPT-2 has 64 positions: a 7-token prompt leaves room for 58 new tokens, not 59.
    looped, reference = both("gpt2", 58)
    assert looped == reference and len(looped) == 58
    model = model_for("gpt2")
    decoder = StepByStep(model, False, start_id=None, end_id=None, maxlen=59)
    for run in (lambda: decoder.beam_search([PROMPT], 1), lambda: generate(model, PROMPT, max_new_tokens=59)):
        with pytest.raises(ValueError, match="outgrew the model's 64 positions"):
            run()


def test_decoding_steps_leave_no_tensors_to_the_cycle_collector():
    # Tensors held by reference cycles live until Python's cycle collector runs: on PyTorch, Keras's tree
    # utilities left every step's caches in cycles (beam-search peak 1.7x the theoretical cache).
    import gc

    model = model_for("gpt2")
    generate(model, PROMPT, max_new_tokens=4, method="beam", topk=3)  # compiles
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        generate(model, PROMPT, max_new_tokens=4, method="beam", topk=3)
        generate(model, PROMPT, max_new_tokens=4)
        gc.collect()
        cycled = [o for o in gc.garbage if keras.ops.is_tensor(o) and len(o.shape) == 4]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert cycled == []


@pytest.mark.parametrize("method", ["greedy", "beam"])
def test_a_model_that_outputs_logits_decodes_like_its_softmax_twin(method):
    # final_activation='linear' (as OpenAI GPT-2 scripts often build it): generate must softmax the logits, not
    # take their log; same weights, so the same ids as the softmax model.
    import os

    from test_generation import DATA

    from kerasformers.models import build_transformer_model

    folder = os.path.join(DATA, "gpt", "cpm_lm")
    config, ckpt = os.path.join(folder, "config.json"), os.path.join(folder, "model.ckpt")
    linear = build_transformer_model(config, ckpt, model="gpt2", final_activation="linear")
    kwargs = {"topk": 3} if method == "beam" else {}
    ids = generate(linear, PROMPT, max_new_tokens=8, method=method, **kwargs).tolist()
    assert ids == generate(model_for("gpt2"), PROMPT, max_new_tokens=8, method=method, **kwargs).tolist()
