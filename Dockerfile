# Barometer: the app under gunicorn. Web assets are built in a Node stage; nothing is fetched at run time.
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
WORKDIR /app
# a C compiler for the MVT kernel (geo/_mvt.c), removed again once it is built
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml setup.py README.md ./
COPY tileserver tileserver
COPY geo geo
COPY indicators indicators
COPY styles styles
COPY data data
RUN pip install --no-cache-dir -e . && apt-get purge -y --auto-remove gcc libc6-dev
COPY --from=web /src/web/dist web/dist
ENV BAROMETER_DATA=/data
EXPOSE 8000
CMD ["barometer", "serve", "--production", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]
