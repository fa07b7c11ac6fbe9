from keras_hub.src.models.rqvae.rqvae_backbone import RQVAEBackbone
from keras_hub.src.models.rqvae.rqvae_layers import Decoder
from keras_hub.src.models.rqvae.rqvae_layers import Encoder
from keras_hub.src.models.rqvae.rqvae_layers import ResidualVectorQuantizer
from keras_hub.src.models.rqvae.rqvae_layers import VectorQuantizerEMA
