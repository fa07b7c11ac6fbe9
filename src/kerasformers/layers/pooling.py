"""Mask-aware global pooling over a padded sequence.

bert4keras replaced ``keras.layers.GlobalAveragePooling1D``/``GlobalMaxPooling1D``
globally with mask-aware versions. Keras 3's ``GlobalAveragePooling1D`` already
averages over unmasked steps only, so it is re-exported unchanged; its
``GlobalMaxPooling1D`` ignores the mask, so a mask-aware one is defined here
(nothing is patched into ``keras.layers``).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from kerasformers.backend import sequence_masking

#: Keras 3's own layer: masked steps are left out of the mean.
GlobalAveragePooling1D = keras.layers.GlobalAveragePooling1D


@keras.saving.register_keras_serializable(package="kerasformers")
class GlobalMaxPooling1D(keras.layers.GlobalMaxPooling1D):
    """Max over the time axis that ignores padded steps (they are set to ``-inf`` first).

    Example:
        >>> x = keras.ops.convert_to_tensor([[[1.0], [5.0], [3.0]]])
        >>> mask = keras.ops.convert_to_tensor([[True, False, True]])
        >>> keras.ops.convert_to_numpy(GlobalMaxPooling1D()(x, mask=mask)).tolist()
        [[3.0]]
    """

    def __init__(self, data_format=None, keepdims: bool = False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        steps_axis = 1 if self.data_format == "channels_last" else 2
        if mask is not None:
            inputs = sequence_masking(inputs, mask, -np.inf, steps_axis)
        return ops.max(inputs, axis=steps_axis, keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None
