"""Tiny NEZHA and RoFormerV2 checkpoints in Hugging Face format, made and run by their own PyTorch code.

transformers 5 dropped NEZHA and never had RoFormerV2, so these come from the
implementations their hub uploads were made with: transformers 4.39.3's
``NezhaForPreTraining`` (sijunhe/nezha-cn-base) and junnyu's ``roformer``
package 0.4.3 (``RoFormerForMaskedLM`` with ``norm_type='rms_norm'``,
``use_bias=False``: junnyu/roformer_v2_chinese_char_*). Each model is saved by
its ``save_pretrained`` as safetensors and as ``pytorch_model.bin``; their
outputs are recorded. kerasformers is never imported. Run in a virtualenv with
torch, ``transformers==4.39.3 tokenizers==0.15.2 huggingface_hub==0.23.5
roformer==0.4.3``:

    /tmp/venv-t4/bin/python tests/goldens/make_hf_goldens_legacy.py

It rewrites tests/data/hf/{nezha,roformer_v2}/ and tests/data/hf/goldens_legacy.npz.
"""

import os
import shutil

import numpy as np
import torch

from make_hf_goldens import OUT, SEGMENT_IDS, SIZES, TOKEN_IDS, inputs, randomize, to_numpy


def save_both(model, folder):
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(os.path.join(folder, "safetensors"), safe_serialization=True)
    model.save_pretrained(os.path.join(folder, "bin"), safe_serialization=False)


def make_nezha():
    from transformers import NezhaConfig, NezhaForPreTraining

    model = randomize(NezhaForPreTraining(NezhaConfig(hidden_act="gelu", max_relative_position=64, **SIZES)), seed=5)
    save_both(model, os.path.join(OUT, "nezha"))
    with torch.no_grad():
        out = model(**inputs(), output_hidden_states=True)
    return {"hidden": to_numpy(out.hidden_states[-1]), "mlm_logits": to_numpy(out.prediction_logits),
            "nsp_logits": to_numpy(out.seq_relationship_logits)}  # fmt: skip


def make_roformer_v2():
    from roformer import RoFormerConfig, RoFormerForMaskedLM

    config = RoFormerConfig(hidden_act="relu", norm_type="rms_norm", use_bias=False, **SIZES)
    model = randomize(RoFormerForMaskedLM(config), seed=6)
    table = model.roformer.encoder.embed_positions
    with torch.no_grad():
        table.weight.copy_(table._init_weight(torch.nn.Parameter(torch.empty_like(table.weight))))
    save_both(model, os.path.join(OUT, "roformer_v2"))
    with torch.no_grad():
        out = model(**inputs(), output_hidden_states=True)
    return {"hidden": to_numpy(out.hidden_states[-1]), "mlm_logits": to_numpy(out.logits)}


def main():
    torch.manual_seed(0)
    goldens = {"token_ids": TOKEN_IDS, "segment_ids": SEGMENT_IDS}
    for family, make in [("nezha", make_nezha), ("roformer_v2", make_roformer_v2)]:
        goldens.update({f"{family}/{k}": v for k, v in make().items()})
    np.savez_compressed(os.path.join(OUT, "goldens_legacy.npz"), **goldens)
    import transformers

    print("transformers", transformers.__version__, "wrote", sorted(goldens))


if __name__ == "__main__":
    main()
