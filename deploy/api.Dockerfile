# syntax=docker/dockerfile:1
# The API server. Build from the repository root:
#   docker build -f deploy/api.Dockerfile -t fattore-api .

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm

# cargo-chef splits the build in two: dependencies (cached until Cargo.lock changes) and our code.
FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS chef
# The same toolchain stage as in the other image's Dockerfile, line for line, so building one
# image reuses the other's layers: libpq for the api; cmake for zlib-ng, perl and make for the
# vendored OpenSSL of the proxy; setcap (libcap2-bin) for the proxy's port capability.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential pkg-config libpq-dev cmake perl libcap2-bin \
    && rm -rf /var/lib/apt/lists/*
RUN cargo install cargo-chef --locked --version ^0.1
WORKDIR /src

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /src/recipe.json recipe.json
# The crates patched in with [patch.crates-io] are dependencies the recipe leaves out, and every
# build of the workspace resolves them.
COPY vendor vendor
RUN cargo chef cook --release --locked --recipe-path recipe.json --package api
COPY . .
# Stripped (a fifth smaller): the symbol table only names frames in backtraces.
RUN cargo build --release --locked --package api \
    && install -s -m 0755 target/release/api /usr/local/bin/api

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
ARG VERSION=dev
LABEL org.opencontainers.image.title="fattore-api" \
      org.opencontainers.image.description="Portfolio and Wall Street game API (actix-web, PostgreSQL or SQLite)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT"
# libpq is linked dynamically; SQLite is compiled in. CA certificates for TLS to RDS.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app/data \
    && chown app:app /app/data
COPY --from=builder /usr/local/bin/api /usr/local/bin/api
WORKDIR /app
USER 10001:10001
ENV APP_ENV=production \
    API_LISTEN=0.0.0.0:8000 \
    API_SHUTDOWN_TIMEOUT_SECS=20 \
    RUST_LOG=info
EXPOSE 8000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/api", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/api"]
CMD ["serve"]
