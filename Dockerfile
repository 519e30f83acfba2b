# syntax=docker/dockerfile:1
#
# One image for the three services (patients, plans, scheduling) and the
# one-shot migration job. docker-compose.yml sets the command of each.
#
#   docker build -t clinic-app .
#
# Stage 1 installs the pinned dependencies and the project into a virtualenv;
# stage 2 copies only that virtualenv and the sources, so no pip cache, build
# backend or compiler ends up in the image that runs.

ARG PYTHON_IMAGE=python:3.11-slim

# --------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# Same path in both stages: a virtualenv is not relocatable.
RUN python -m venv /opt/venv

WORKDIR /src

# Dependencies first, in their own layer: it is rebuilt only when the lock
# file changes, not on every source edit. Every pin has a manylinux wheel, so
# no compiler is needed.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

# Then the project itself (console script `clinic-admin`). --no-deps: the lock
# file above is the only source of dependency versions. README* is copied
# when present in case pyproject.toml names it as the long description.
COPY pyproject.toml README* ./
COPY services/ services/
COPY ops/ ops/
RUN pip install --no-cache-dir --no-deps .

# --------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# PYTHONPATH: the project is also installed in the virtualenv (for the
# `clinic-admin` script), but code finds migrations/ relative to its own
# source file, so every entry point (uvicorn, alembic, clinic-admin) must
# import the copy in /app that sits next to migrations/.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app

# Fixed uid/gid so file ownership on volumes and in security policies is
# predictable across hosts and rebuilds.
RUN groupadd --system --gid 10001 clinic \
 && useradd --system --uid 10001 --gid 10001 --no-create-home \
            --home-dir /nonexistent --shell /usr/sbin/nologin clinic

COPY --from=builder /opt/venv /opt/venv

# Sources stay owned by root: the service user can read but not change them.
# alembic.ini and migrations/ are here because `alembic upgrade head` runs
# from /app (the migrate job); uvicorn imports services.* from here as well.
WORKDIR /app
COPY pyproject.toml requirements.lock alembic.ini ./
COPY services/ services/
COPY ops/ ops/
COPY migrations/ migrations/

USER 10001:10001

EXPOSE 8000

# No HEALTHCHECK here: the migrate job uses this image too and has no HTTP
# endpoint; docker-compose.yml defines the probe for each service.
#
# No service is the default: compose sets `command:` per service. Run bare,
# the image just shows the operator CLI's help.
CMD ["clinic-admin", "--help"]
