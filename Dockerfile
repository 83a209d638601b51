# Barometer: the app under gunicorn. Web assets are built in a Node stage and the Python packages (with the
# compiled MVT kernel, geo/_mvt.c) and the label glyphs in a stage that has a C compiler and the font; the
# image has neither. Nothing is fetched at run time.
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM python:3.11-slim-bookworm AS app
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /venv
WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY tileserver tileserver
COPY geo geo
COPY indicators indicators
COPY styles styles
COPY data data
RUN /venv/bin/pip install --no-cache-dir -e .
# label glyphs (SDF ranges) from Debian's DejaVu Sans, merged into web/dist below
RUN /venv/bin/python -m styles.glyphs web/dist/fonts

FROM python:3.11-slim-bookworm
# Pango for WeasyPrint (PDF reports); the fonts of reports and map images
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      fonts-liberation fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
COPY --from=app /venv /venv
COPY --from=app /app /app
COPY --from=web /src/web/dist /app/web/dist
WORKDIR /app
# not root: the data folder is the only place the server and imports write to
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin barometer \
    && mkdir -p /data && chown barometer:barometer /data
USER barometer
ENV PATH=/venv/bin:$PATH BAROMETER_DATA=/data
EXPOSE 8000
CMD ["barometer", "serve", "--production", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]
