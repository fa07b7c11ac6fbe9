backbone_presets = {
    "gpt_oss_20b_en": {
        "metadata": {
            "description": (
                "This preset has 21 billion total parameters, "
                "with 3.6 billion active parameters, a 128k context "
                "length, and is de-quantized from MXFP4."
            ),
            "params": 20_914_757_184,
            "path": "gpt_oss",
        },
        "kaggle_handle": "kaggle://keras/gpt-oss/keras/gpt_oss_20b_en/1",
    },
    "gpt_oss_120b_en": {
        "metadata": {
            "description": (
                "This preset has 117 billion total parameters, "
                "with 5.1 billion active parameters, a 128k context "
                "length, and is de-quantized from MXFP4."
            ),
            "params": 116_829_156_672,
            "path": "gpt_oss",
        },
        "kaggle_handle": "kaggle://keras/gpt-oss/keras/gpt_oss_120b_en/1",
    },
    "gpt_oss_safeguard_20b_en": {
        "metadata": {
            "description": (
                "Open-weight safety reasoning model with 21 billion "
                "total parameters,with 3.6 billion active "
                "parameters, a context length of over 128k, "
                "and is de-quantized from MXFP4."
            ),
            "params": 20_914_757_184,
            "path": "gpt_oss",
        },
        "kaggle_handle": "kaggle://keras/gpt-oss-safeguard/keras/gpt_oss_safeguard_20b_en/1",
    },
    "gpt_oss_safeguard_120b_en": {
        "metadata": {
            "description": (
                "Open-weight safety reasoning model with 117 billion "
                "total parameters,with 5.1 billion active parameters, "
                "a 128k context length, and is de-quantized from MXFP4."
            ),
            "params": 116_829_156_672,
            "path": "gpt_oss",
        },
        "kaggle_handle": "kaggle://keras/gpt-oss-safeguard/keras/gpt_oss_safeguard_120b_en/1",
    },
}
