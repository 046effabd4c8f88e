# syntax=docker/dockerfile:1
#
# abm-scim container image: a static (musl) binary on distroless, ~15 MB, runs as non-root.
#
#   docker build -t abm-scim .
#   docker run --rm -p 8080:8080 abm-scim
#       -> in-memory SQLite (nothing persists); the SCIM base URL, SCIM token and admin token
#          are printed on stdout at start.
#   docker run --rm -p 8080:8080 -v $PWD/examples/seed.json:/seed.json abm-scim --seed /seed.json
#       -> same, pre-loaded from a seed file (organizations, tokens with fixed secrets, accounts).
#
# Arguments after the image name go to `abm-scim` (the default command is `serve`), e.g.
# `docker run abm-scim migrate` or `docker run abm-scim --help`.
#
# Set ABM_SCIM_PUBLIC_URL (e.g. `-e ABM_SCIM_PUBLIC_URL=https://scim.example.net`) whenever the
# server is reached on another host or port than 0.0.0.0:8080 — it is used for `Location`,
# `meta.location` and the printed SCIM base URL, which would otherwise say http://0.0.0.0:8080.
#
# Persistence: pass `-e DATABASE_URL=postgres://USER:PASSWORD@HOST/DB` (see docker-compose.yml),
# or SQLite on a volume writable by the image's user (uid 65532):
#   docker run -p 8080:8080 -v abm-data:/data -e DATABASE_URL=sqlite:/data/abm-scim.db abm-scim

ARG RUST_VERSION=1.95

# ---------------------------------------------------------------------------------------------
# Builder: static x86_64 musl binary. musl-tools provides musl-gcc, which the `cc` crate uses to
# compile the bundled SQLite and ring's C/assembly for the musl target.
# ---------------------------------------------------------------------------------------------
FROM rust:${RUST_VERSION}-bookworm AS builder
ARG TARGET=x86_64-unknown-linux-musl
RUN apt-get update \
    && apt-get install -y --no-install-recommends musl-tools \
    && rm -rf /var/lib/apt/lists/* \
    && rustup target add ${TARGET}
WORKDIR /src

# 1) Dependencies only, in their own layer: build the manifest against stub sources so this
#    layer is reused until Cargo.toml/Cargo.lock change. Cargo refuses a manifest whose declared
#    targets ([[bin]]/[[bench]]/[[test]]/[[example]]) have no file, even when building one
#    binary, so create a stub for every declared target (explicit `path` or the default one).
#    The stubs are deleted afterwards so none can shadow a real file copied below.
COPY Cargo.toml Cargo.lock ./
RUN set -eu; \
    mkdir -p src; echo 'fn main() {}' > src/main.rs; : > src/lib.rs; \
    awk ' \
      function flush() { if (kind != "") { if (path == "" && name != "") path = dir "/" name ".rs"; if (path != "") print path } kind = ""; name = ""; path = "" } \
      /^\[\[(bin|bench|test|example)\]\]/ { flush(); kind = $0; sub(/^\[\[/, "", kind); sub(/\]\].*$/, "", kind); \
          dir = (kind == "bin") ? "src/bin" : (kind == "bench") ? "benches" : (kind == "test") ? "tests" : "examples"; next } \
      /^\[/ { flush(); next } \
      kind != "" && /^[ \t]*name[ \t]*=/ { v = $0; sub(/^[^"]*"/, "", v); sub(/".*$/, "", v); name = v } \
      kind != "" && /^[ \t]*path[ \t]*=/ { v = $0; sub(/^[^"]*"/, "", v); sub(/".*$/, "", v); path = v } \
      END { flush() }' Cargo.toml \
    | while read -r stub; do \
        if [ ! -e "$stub" ]; then mkdir -p "$(dirname "$stub")"; echo 'fn main() {}' > "$stub"; fi; \
      done; \
    cargo build --release --locked --bin abm-scim --target ${TARGET}; \
    rm -rf src benches tests examples

# 2) The real sources. `sqlx::migrate!` embeds ./migrations at compile time, so it must be here
#    before this build; .dockerignore keeps target/, .git and local databases out of the context.
#    benches/ tests/ examples/ come along too, so manifest targets always resolve.
COPY . .
# COPY keeps the files' original mtimes, which may be older than the stub build: touch the crate
# roots so cargo recompiles abm-scim itself instead of reusing the stub.
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked --bin abm-scim --target ${TARGET} \
    && cp target/${TARGET}/release/abm-scim /abm-scim \
    && /abm-scim version \
    && mkdir -p /empty-tmp

# ---------------------------------------------------------------------------------------------
# Runtime: no shell, no libc needed (static binary), runs as uid/gid 65532 ("nonroot").
# ---------------------------------------------------------------------------------------------
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=builder /abm-scim /abm-scim
# `sqlite::memory:` is a private database file in a temporary directory (README, "In-memory
# database"): /dev/shm when it has 1 GiB free (Docker gives it 64 MiB unless `--shm-size`),
# otherwise $TMPDIR, which must be writable by the image's user.
COPY --from=builder --chown=65532:65532 /empty-tmp /var/tmp/abm-scim
# Listen on all interfaces (the default 127.0.0.1 is unreachable from outside the container) and
# default to a throwaway in-memory database: the image's working directory is not writable, and
# a demo should need no setup. Override DATABASE_URL for anything that must persist.
ENV ABM_SCIM_LISTEN=0.0.0.0:8080 \
    DATABASE_URL=sqlite::memory: \
    TMPDIR=/var/tmp/abm-scim
EXPOSE 8080
ENTRYPOINT ["/abm-scim"]
