# Machine Dream, self-hosted: one workerd serves the app and the edge API on port 8080, with the
# committed deploy/workerd/config.capnp. Settings and secrets come from the environment (see
# DEPLOYMENT.md, "Self-hosting"); the rate limiter's state lives in the /var/lib/machine-dream
# volume.
#
# The artefacts (dist/, the worker build, the workerd binary) come from one of two stages:
#
#   ARTEFACTS=build (default): built in the image. Needs Debian's mirror, rustup's download
#     server (static.rust-lang.org), crates.io and npm; a cold build takes a while (it compiles
#     trunk, worker-build and wasm-bindgen-cli, then the app).
#       docker build -t machine-dream .
#
#   ARTEFACTS=prebuilt: copied from the build context, for machines where a build stage cannot
#     download a Rust toolchain. Build on the host first (`cargo xtask build` also runs `npm ci`,
#     which brings the workerd binary).
#       cargo xtask build
#       docker build --build-arg ARTEFACTS=prebuilt -t machine-dream .
#
#   docker run --rm -p 8080:8080 -v md-state:/var/lib/machine-dream \
#     -e UPSTREAM_URL=http://my-model-server:8080 -e API_TOKENS='[...]' machine-dream
#
# BASE is any Debian bookworm image (glibc; workerd is a glibc binary). Without a registry, make
# one with debootstrap and `podman import` and pass --build-arg BASE=localhost/debian:bookworm-slim.

ARG BASE=docker.io/library/debian:bookworm-slim
ARG ARTEFACTS=build

# ---- build: the whole project, as on a developer machine ---------------------------------------
FROM ${BASE} AS build
ARG RUST_VERSION=1.95.0
ENV DEBIAN_FRONTEND=noninteractive
# Debian's Node.js 18 is enough to build: esbuild, binaryen's wasm-opt and workerd run on it
# (npm warns that wrangler and playwright-core, used only by `serve` and the tests, want 20).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl build-essential pkg-config nodejs npm \
 && rm -rf /var/lib/apt/lists/*
# rustup-init straight from static.rust-lang.org (what https://sh.rustup.rs fetches), checked
# against its published SHA-256.
ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:$PATH
RUN triple="$(uname -m)-unknown-linux-gnu" \
 && url="https://static.rust-lang.org/rustup/dist/${triple}/rustup-init" \
 && curl -fsSL -o /tmp/rustup-init "$url" \
 && echo "$(curl -fsSL "$url.sha256" | cut -d' ' -f1)  /tmp/rustup-init" | sha256sum -c - \
 && chmod +x /tmp/rustup-init \
 && /tmp/rustup-init -y --no-modify-path --profile minimal --default-toolchain "${RUST_VERSION}" \
      --target wasm32-unknown-unknown \
 && rm /tmp/rustup-init
WORKDIR /src
COPY . .
# `cargo xtask build` installs the pinned tools (trunk, worker-build, wasm-bindgen, npm ci) and
# builds the app (dist/, with the service worker's precache list) and the worker.
RUN cargo xtask build \
 && mkdir -p /out/bin /out/worker-api/build \
 && cp -r dist /out/dist \
 && cp worker-api/build/index.js worker-api/build/index_bg.wasm /out/worker-api/build/ \
 && cp node_modules/@cloudflare/workerd-linux-*/bin/workerd /out/bin/workerd

# ---- prebuilt: the same artefacts from the build context ---------------------------------------
FROM ${BASE} AS prebuilt
COPY dist /out/dist
COPY worker-api/build/index.js worker-api/build/index_bg.wasm /out/worker-api/build/
COPY node_modules/@cloudflare/workerd-linux-*/bin/workerd /out/bin/workerd

FROM ${ARTEFACTS} AS artefacts

# ---- runtime: workerd + config + artefacts, nothing else ---------------------------------------
FROM ${BASE} AS runtime
# The layout deploy/workerd/config.capnp expects: its embeds are relative to the config file
# (../../worker-api/build/), the app directory and the state directory are its defaults.
COPY --from=artefacts /out/bin/workerd /usr/local/bin/workerd
COPY --from=artefacts /out/dist /srv/machine-dream/dist
COPY --from=artefacts /out/worker-api/build /srv/machine-dream/worker-api/build
COPY deploy/workerd/config.capnp deploy/workerd/front.js /srv/machine-dream/deploy/workerd/
RUN mkdir -p /var/lib/machine-dream && chown 10001:10001 /var/lib/machine-dream
# Defaults that differ from "unset": one model name (the bundled SmolLM2 alias) and no anonymous
# access. Everything else is the edge API's default until set with -e / compose.
ENV MODEL_ALIASES=smollm2-135m-instruct=smollm2-135m-instruct \
    ALLOW_ANONYMOUS=false
VOLUME /var/lib/machine-dream
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/workerd", "serve", "--experimental", "/srv/machine-dream/deploy/workerd/config.capnp"]
