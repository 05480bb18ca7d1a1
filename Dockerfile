# Fairpath API server. Build: docker build -t fairpath .
# Run:   docker run -p 8000:8000 -v fairpath-data:/data -e FAIRPATH_SECRET_KEY="$(openssl rand -hex 32)" \
#          -e FAIRPATH_PUBLIC_BASE_URL=https://fairpath.example.org fairpath
# FAIRPATH_PUBLIC_BASE_URL is the address users reach (invitation links are built on it); the
# server refuses to start in production without it or the secret key.
# The container applies pending migrations (under a lock, so replicas may start together), then
# serves on port 8000.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 fairpath \
    && mkdir -p /data \
    && chown fairpath:fairpath /data

WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
COPY api ./api
COPY audit ./audit
COPY core ./core
COPY supplychain ./supplychain
COPY questionnaires ./questionnaires
COPY scoring ./scoring
COPY templates ./templates
COPY examples ./examples
# The versions requirements.lock pins: the image runs what CI tested.
RUN pip install -c requirements.lock . && rm -rf /app/build

USER fairpath
ENV DATABASE_URL=sqlite:////data/fairpath.db \
    FAIRPATH_DATA_DIR=/data/files \
    FAIRPATH_ENVIRONMENT=production
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)" || exit 1

CMD ["sh", "-c", "fairpath db upgrade && exec fairpath serve --host 0.0.0.0 --port 8000"]
