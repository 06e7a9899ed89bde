# mozaiks-ai runtime image: the API, WebSocket chat and ChatUI on :8080, workflows mounted at /app/workflows.
#   docker build -t mozaiks-ai .
#   docker run -p 8080:8080 -e MOZAIKS_AI_TOKEN=... -v "$PWD/my-workflows:/app/workflows" mozaiks-ai
# Without MOZAIKS_AI_TOKEN / MOZAIKS_AI_JWT_SECRET the runtime only listens on 127.0.0.1 (unreachable from outside
# the container) and says so: authentication is required to serve on 0.0.0.0.

FROM node:20-bookworm-slim AS chatui
WORKDIR /src/packages/chatui
COPY packages/chatui/package.json packages/chatui/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY packages/chatui/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    MOZAIKS_WORKFLOWS_PATH=/app/workflows \
    MOZAIKS_DB_URL=sqlite:////app/data/mozaiks.db \
    MOZAIKS_OUTBOX_DIR=/app/data/outbox \
    MOZAIKS_AI_HOST=0.0.0.0 \
    MOZAIKS_AI_PORT=8080
RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 mozaiks
WORKDIR /src
COPY packages/mozaiks-ai/ packages/mozaiks-ai/
COPY examples/ examples/
COPY --from=chatui /src/packages/mozaiks-ai/mozaiks_ai/api/static/chatui/ packages/mozaiks-ai/mozaiks_ai/api/static/chatui/
RUN pip install --no-cache-dir "./packages/mozaiks-ai[postgres]" \
    && mkdir -p /app/workflows /app/data && chown -R mozaiks /app
USER mozaiks
WORKDIR /app
EXPOSE 8080
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/health')" || exit 1
CMD ["mozaiks-ai", "serve"]
