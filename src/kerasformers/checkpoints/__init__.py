"""Reading, writing and mapping TensorFlow V2 checkpoints without TensorFlow."""
