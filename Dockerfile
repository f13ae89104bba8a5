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
RUN pip install --constraint constraints.txt . \
    && rm -rf build *.egg-info

# A fixed, unprivileged user; it owns only the data directory (used by the embedded default).
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home cxledger \
    && mkdir -p /app/var \
    && chown cxledger:cxledger /app/var
USER 10001:10001

EXPOSE 8000
ENTRYPOINT ["cxledger"]
CMD ["serve"]
