# syntax=docker/dockerfile:1.7
# Strongroom's production image (README "Production"; docker-compose.yml builds it).
#
# Stage "build" makes wheels: every dependency pinned and hash-checked by requirements.lock,
# then Strongroom's own. Stage "runtime" installs Strongroom and its runtime dependencies only
# (no extra: no test tools, no OpenBao binary, no Stripe emulator) from those wheels, which are
# bind-mounted and never copied in. No compiler, no pip cache, no pip; an unprivileged user;
# nothing written outside /tmp and the mounted volumes, so a read-only root filesystem works.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY requirements.lock ./
RUN pip wheel --no-cache-dir --require-hashes --no-deps -r requirements.lock --wheel-dir /wheels
COPY pyproject.toml README.md ./
COPY service ./service
COPY policies ./policies
COPY audits ./audits
RUN pip install --no-cache-dir --no-index --find-links=/wheels setuptools \
 && pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /wheels .

FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/strongroom/bin:$PATH \
    HOME=/tmp \
    STRONGROOM_DATA_DIR=/var/lib/strongroom
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m venv /opt/strongroom \
 && /opt/strongroom/bin/pip install --no-cache-dir --no-index --find-links=/wheels strongroom \
 && /opt/strongroom/bin/python -m compileall -q /opt/strongroom/lib \
 && /opt/strongroom/bin/pip uninstall --yes pip
RUN groupadd --system --gid 10001 strongroom \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin strongroom \
 && install -d -o strongroom -g strongroom -m 0700 /var/lib/strongroom /run/strongroom
USER 10001:10001
WORKDIR /var/lib/strongroom
EXPOSE 8000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status != 200)"]
CMD ["strongroom", "serve", "--host", "0.0.0.0", "--port", "8000"]
