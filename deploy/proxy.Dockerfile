# syntax=docker/dockerfile:1
# The reverse proxy, with the web UI baked in. Build from the repository root:
#   docker build -f deploy/proxy.Dockerfile -t fattore-proxy .

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
RUN cargo chef cook --release --locked --recipe-path recipe.json --package proxy
COPY . .
# Stripped (a fifth smaller): the symbol table only names frames in backtraces. The
# file capability lets the non-root user bind port 80 where the platform requires it (ECS
# awsvpc maps container port = host port).
RUN cargo build --release --locked --package proxy \
    && install -s -m 0755 target/release/proxy /usr/local/bin/proxy \
    && setcap cap_net_bind_service=+ep /usr/local/bin/proxy

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
ARG VERSION=dev
LABEL org.opencontainers.image.title="fattore-proxy" \
      org.opencontainers.image.description="Reverse proxy (pingora): serves the web UI, forwards the API" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT"
# OpenSSL is statically linked, so the runtime needs no packages: only the CA bundle (for ACME
# and TLS upstreams) and the binary, copied with its capability (an extended attribute) in the
# one layer that also creates the user.
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN --mount=type=bind,from=builder,source=/usr/local/bin/proxy,target=/tmp/proxy \
    cp --preserve=mode,xattr /tmp/proxy /usr/local/bin/proxy \
    && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app/acme \
    && chown app:app /app/acme
# Only what browsers load: the app shell and the fingerprinted assets (web/src, the
# fingerprint script and the docs stay out of the image).
COPY web/index.html /app/web/index.html
COPY web/assets /app/web/assets
WORKDIR /app
USER 10001:10001
ENV PROXY_LISTEN=0.0.0.0:8080 \
    PROXY_STATIC_DIR=/app/web \
    PROXY_ACME_STATE_DIR=/app/acme \
    PROXY_SHUTDOWN_GRACE_SECS=5 \
    RUST_LOG=info
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/proxy", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/proxy"]
