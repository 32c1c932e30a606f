# syntax=docker/dockerfile:1
# autotriage image: `serve` (API + UI) by default; `worker`, `migrate`, ... as the command.
# Multi-stage: the build stage turns the project and its dependencies into wheels; the runtime
# stage installs only those wheels and runs as an unprivileged user.
ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir --upgrade pip
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[postgres,redis]"

FROM python:${PYTHON_VERSION}-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    AUTOTRIAGE_HOST=0.0.0.0 \
    AUTOTRIAGE_PORT=8000 \
    AUTOTRIAGE_DATA_DIR=/data
RUN groupadd --system --gid 10001 autotriage \
    && useradd --system --uid 10001 --gid autotriage --home-dir /data --shell /usr/sbin/nologin autotriage \
    && mkdir -p /data && chown autotriage:autotriage /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels "autotriage[postgres,redis]" \
    && rm -rf /wheels
USER 10001:10001
WORKDIR /data
EXPOSE 8000
# Liveness of the API; worker containers override it with `autotriage worker-health`.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('AUTOTRIAGE_PORT', '8000'), timeout=4)" || exit 1
ENTRYPOINT ["autotriage"]
CMD ["serve"]
