"""Convert huggingface models to KerasHub."""

import inspect

from keras_hub.src.models.image_classifier import ImageClassifier
from keras_hub.src.utils.preset_utils import PresetLoader
from keras_hub.src.utils.preset_utils import jax_memory_cleanup
from keras_hub.src.utils.transformers import convert_albert
from keras_hub.src.utils.transformers import convert_bart
from keras_hub.src.utils.transformers import convert_bert
from keras_hub.src.utils.transformers import convert_blip2
from keras_hub.src.utils.transformers import convert_deit
from keras_hub.src.utils.transformers import convert_dinov2
from keras_hub.src.utils.transformers import convert_dinov3
from keras_hub.src.utils.transformers import convert_distilbert
from keras_hub.src.utils.transformers import convert_esm
from keras_hub.src.utils.transformers import convert_gemma
from keras_hub.src.utils.transformers import convert_gemma3
from keras_hub.src.utils.transformers import convert_gemma3n
from keras_hub.src.utils.transformers import convert_gemma4
from keras_hub.src.utils.transformers import convert_gemma4_assistant
from keras_hub.src.utils.transformers import convert_gpt2
from keras_hub.src.utils.transformers import convert_gpt_oss
from keras_hub.src.utils.transformers import convert_llama3
from keras_hub.src.utils.transformers import convert_metaclip_2
from keras_hub.src.utils.transformers import convert_mistral
from keras_hub.src.utils.transformers import convert_mixtral
from keras_hub.src.utils.transformers import convert_pali_gemma
from keras_hub.src.utils.transformers import convert_qwen
from keras_hub.src.utils.transformers import convert_qwen3
from keras_hub.src.utils.transformers import convert_qwen3_5
from keras_hub.src.utils.transformers import convert_qwen3_5_moe
from keras_hub.src.utils.transformers import convert_qwen3_moe
from keras_hub.src.utils.transformers import convert_qwen_moe
from keras_hub.src.utils.transformers import convert_roberta
from keras_hub.src.utils.transformers import convert_sam3
from keras_hub.src.utils.transformers import convert_smollm3
from keras_hub.src.utils.transformers import convert_swin_transformer
from keras_hub.src.utils.transformers import convert_t5gemma
from keras_hub.src.utils.transformers import convert_t5gemma2
from keras_hub.src.utils.transformers import convert_vit
from keras_hub.src.utils.transformers import convert_xlm_roberta
from keras_hub.src.utils.transformers.safetensor_utils import SafetensorLoader


class TransformersPresetLoader(PresetLoader):
    def __init__(self, preset, config):
        super().__init__(preset, config)
        model_type = self.config["model_type"]
        if model_type == "albert":
            self.converter = convert_albert
        elif model_type == "bart":
            self.converter = convert_bart
        elif model_type == "bert":
            self.converter = convert_bert
        elif model_type == "blip-2":
            self.converter = convert_blip2
        elif model_type == "deit":
            self.converter = convert_deit
        elif model_type == "distilbert":
            self.converter = convert_distilbert
        elif model_type in ("dinov2", "dinov2_with_registers"):
            self.converter = convert_dinov2
        elif model_type == "dinov3_vit":
            self.converter = convert_dinov3
        elif model_type == "esm":
            self.converter = convert_esm
        elif model_type in ("gemma", "gemma2"):
            self.converter = convert_gemma
        elif model_type in ("gemma3", "gemma3_text"):
            self.converter = convert_gemma3
        elif model_type == "gemma3n":
            self.converter = convert_gemma3n
        elif model_type in ("gemma4", "gemma4_text"):
            self.converter = convert_gemma4
        elif model_type == "gemma4_assistant":
            self.converter = convert_gemma4_assistant
        elif model_type == "gpt2":
            self.converter = convert_gpt2
        elif model_type == "gpt_oss":
            self.converter = convert_gpt_oss
        elif model_type == "llama":
            # TODO: handle other llama versions.
            self.converter = convert_llama3
        elif model_type == "metaclip_2":
            self.converter = convert_metaclip_2
        elif model_type == "mistral":
            self.converter = convert_mistral
        elif model_type == "paligemma":
            self.converter = convert_pali_gemma
        elif model_type == "vit":
            self.converter = convert_vit
        elif model_type == "qwen2":
            self.converter = convert_qwen
        elif model_type == "mixtral":
            self.converter = convert_mixtral
        elif model_type == "qwen2_moe":
            self.converter = convert_qwen_moe
        elif model_type == "qwen3_moe":
            self.converter = convert_qwen3_moe
        elif model_type == "qwen3":
            self.converter = convert_qwen3
        elif model_type == "qwen3_5_moe":
            self.converter = convert_qwen3_5_moe
        elif model_type == "qwen3_5":
            self.converter = convert_qwen3_5
        elif model_type == "roberta":
            self.converter = convert_roberta
        elif model_type == "sam3_video":
            self.converter = convert_sam3
        elif model_type == "xlm-roberta":
            self.converter = convert_xlm_roberta
        elif model_type == "smollm3":
            self.converter = convert_smollm3
        elif model_type == "swin":
            self.converter = convert_swin_transformer
        elif model_type == "t5gemma":
            self.converter = convert_t5gemma
        elif model_type == "t5gemma2":
            self.converter = convert_t5gemma2
        else:
            raise ValueError(
                "KerasHub has no converter for huggingface/transformers models "
                f"with model type `'{model_type}'`."
            )

    def check_backbone_class(self):
        return self.converter.backbone_cls

    def load_backbone(self, cls, load_weights, **kwargs):
        convert_backbone_config_param_len = len(
            inspect.signature(self.converter.convert_backbone_config).parameters
        )
        if convert_backbone_config_param_len != 1:
            backbone_kwargs, kwargs = self.get_backbone_kwargs(**kwargs)
            keras_config = self.converter.convert_backbone_config(
                self.config, cls, **backbone_kwargs
            )
        else:
            keras_config = self.converter.convert_backbone_config(self.config)
        backbone = cls(**{**keras_config, **kwargs})
        if load_weights:
            jax_memory_cleanup(backbone)
            with SafetensorLoader(self.preset) as loader:
                self.converter.convert_weights(backbone, loader, self.config)
        return backbone

    def load_task(self, cls, load_weights, load_task_weights, **kwargs):
        architecture = self.config["architectures"][0]
        is_classifier = issubclass(cls, ImageClassifier)
        is_assistant = architecture == "Gemma4AssistantForCausalLM"

        if hasattr(self.converter, "convert_task_config"):
            task_config = self.converter.convert_task_config(self.config)
            kwargs = {**task_config, **kwargs}

        if hasattr(self.converter, "load_task_config"):
            extra = self.converter.load_task_config(self.preset, self.config)
            if extra:
                kwargs = {**extra, **kwargs}

        if not load_task_weights or (
            not is_classifier
            and not is_assistant
            and architecture != "ViTModel"
        ):
            return super().load_task(
                cls, load_weights, load_task_weights, **kwargs
            )
        # Support loading the classification head for classifier models.
        if "ForImageClassification" in architecture:
            kwargs["num_classes"] = len(self.config["id2label"])
        task = super().load_task(cls, load_weights, load_task_weights, **kwargs)
        if load_task_weights:
            with SafetensorLoader(self.preset, prefix="") as loader:
                self.converter.convert_head(task, loader, self.config)
        return task

    def load_tokenizer(self, cls, config_name="tokenizer.json", **kwargs):
        return self.converter.convert_tokenizer(cls, self.preset, **kwargs)

    def load_image_converter(self, cls, **kwargs):
        if hasattr(self.converter, "load_image_converter_config"):
            config = self.converter.load_image_converter_config(
                self.preset, self.config
            )
            if config is not None:
                return cls(**{**config, **kwargs})
        # TODO: set image size for pali gemma checkpoints.
        return None

    def load_audio_converter(self, cls, **kwargs):
        if hasattr(self.converter, "load_audio_converter_config"):
            config = self.converter.load_audio_converter_config(
                self.preset, self.config
            )
            if config is not None:
                return cls(**{**config, **kwargs})
        return None

    def load_video_converter(self, cls, **kwargs):
        if hasattr(self.converter, "load_video_converter_config"):
            config = self.converter.load_video_converter_config(
                self.preset, self.config
            )
            if config is not None:
                return cls(**{**config, **kwargs})
        return None

    def load_preprocessor(self, cls, config_file=None, **kwargs):
        if hasattr(self.converter, "load_preprocessor_config"):
            extra = self.converter.load_preprocessor_config(
                self.preset, self.config
            )
            if extra:
                kwargs = {**extra, **kwargs}
        if config_file is not None:
            return super().load_preprocessor(cls, config_file, **kwargs)
        return super().load_preprocessor(cls, **kwargs)
