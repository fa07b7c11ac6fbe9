#!/bin/bash
# Interleaved rounds of the key contenders of seq2seq.py and generate.py, for a noisy machine: each round runs
# the scripts' own workers one after the other and prints their RESULT lines; keep the best of the rounds.
# Usage: BERT4KERAS_PYTHON=/path/to/venv-b4k/bin/python bash benchmarks/interleave.sh
# (run from a checkout with .venv and the benchmark-only keras-hub in .khub, see README.md)
set -u
cd "$(dirname "$0")"
PY=${PYTHON:-../.venv/bin/python}; B4K=${BERT4KERAS_PYTHON:?set BERT4KERAS_PYTHON to the Python of a bert4keras venv}
export PYTHONPATH=../src
for round in 1 2 3; do
  echo "round $round $(cat /proc/loadavg)"
  echo "s2s kf-jax $(KERAS_BACKEND=jax $PY seq2seq.py --worker kerasformers --repeats 3 2>/dev/null | grep RESULT)"
  echo "s2s transformers $($PY seq2seq.py --worker transformers --repeats 2 2>/dev/null | grep RESULT)"
  echo "s2s bert4keras $(TF_KERAS=1 TF_USE_LEGACY_KERAS=1 $B4K seq2seq.py --worker bert4keras --repeats 1 2>/dev/null | grep RESULT)"
  echo "gen kf-jax $(KERAS_BACKEND=jax $PY generate.py --worker kerasformers --model gpt2 --repeats 3 --cases greedy/64,beam4/64 2>/dev/null | grep RESULT)"
  echo "gen keras-hub-jax $(KERAS_BACKEND=jax PYTHONPATH=../src:../.khub $PY generate.py --worker keras-hub --model gpt2 --repeats 3 --cases greedy/64,beam4/64 --keras-hub-path ../.khub 2>/dev/null | grep RESULT)"
  echo "gen transformers $($PY generate.py --worker transformers --model gpt2 --repeats 3 --cases greedy/64,beam4/64 2>/dev/null | grep RESULT)"
  echo "gen bert4keras $(TF_KERAS=1 TF_USE_LEGACY_KERAS=1 $B4K generate.py --worker bert4keras --model gpt2 --repeats 1 --cases greedy/64 2>/dev/null | grep RESULT)"
done
echo "end $(cat /proc/loadavg)"
