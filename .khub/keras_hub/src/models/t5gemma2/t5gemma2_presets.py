backbone_presets = {
    "t5gemma2_270m_270m": {
        "metadata": {
            "description": (
                "Encoder–decoder (T5-style) based out of Gemma3 model with "
                "270M encoder + 270M decoder parameters, "
                "supporting text generation, multilingual tasks "
                "and long-context inputs."
            ),
            "params": 953800816,
            "path": "t5gemma2",
        },
        "kaggle_handle": "kaggle://keras/t5gemma-2/keras/t5gemma2_270m_270m/2",
    },
    "t5gemma2_1b_1b": {
        "metadata": {
            "description": (
                "Encoder–decoder (T5-style) based out of Gemma3 model with "
                "1B encoder + 1B decoder parameters, "
                "supporting text generation, multilingual tasks "
                "and long-context inputs."
            ),
            "params": 2417966192,
            "path": "t5gemma2",
        },
        "kaggle_handle": "kaggle://keras/t5gemma-2/keras/t5gemma2_1b_1b/2",
    },
    "t5gemma2_4b_4b": {
        "metadata": {
            "description": (
                "Encoder–decoder (T5-style) based out of Gemma3 model with "
                "4B encoder + 4B decoder parameters, "
                "supporting text generation, multilingual tasks "
                "and long-context inputs."
            ),
            "params": 8180020080,
            "path": "t5gemma2",
        },
        "kaggle_handle": "kaggle://keras/t5gemma-2/keras/t5gemma2_4b_4b/2",
    },
}
