# The bot's image: the package with a CPU build of torch, the knowledge folder, and an index built at start-up.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY bot ./bot
COPY ingest ./ingest
COPY knowledge ./knowledge
COPY prompts ./prompts
# The CPU wheel index keeps torch from pulling a multi-GB CUDA build.
RUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu -c requirements.lock '.[openai]'
ENV LEGALBOT_DATA_DIR=/data
VOLUME /data
CMD ["sh", "-c", "legalbot ingest --if-stale --quiet && legalbot run"]
