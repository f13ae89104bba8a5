# The cxledger image: `docker run IMAGE serve`, `docker run IMAGE project`, ... (see cxledger --help).
# Every setting is a CXL_ environment variable; docker-compose.yml shows a production set-up.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY domain ./domain
COPY projections ./projections
COPY graphql_api ./graphql_api
COPY infrastructure ./infrastructure
# The healthchecks: the image's HEALTHCHECK, docker-compose.yml and deploy/kubernetes run them.
COPY deploy/healthcheck ./deploy/healthcheck
# Without the `embedded` extra: production points CXL_DATABASE_URL at a real PostgreSQL.
RUN pip install --constraint constraints.txt . \
    && rm -rf build *.egg-info

# A fixed, unprivileged user; it owns only the data directory (CXL_DATA_DIR).
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home cxledger \
    && mkdir -p /app/var \
    && chown cxledger:cxledger /app/var
USER 10001:10001

EXPOSE 8000
# `serve`: /health/live answers; `project`: the worker holds its listener session; anything else
# (migrate, one-shot jobs): healthy while it runs. See deploy/healthcheck/container.py.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "/app/deploy/healthcheck/container.py"]
ENTRYPOINT ["cxledger"]
CMD ["serve"]
