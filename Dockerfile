# Flintnet in a container: `docker compose up -d` (compose.yaml) builds and runs it.
#
# Build stage: Deno from its npm package compiles one executable (deno task compile). deno compile
# downloads its `denort` runtime, so the build needs internet access; offline, put a denort 2.9.6 into
# the build context and pass --build-arg DENORT_BIN=/src/denort.
# Runtime stage: slim Debian with the libraries Flintnet loads (libpcap for capture filters, the IEEE
# and IANA registries for vendor names), a non-root user, and the binary with exactly the two
# capabilities capture needs as file capabilities (Docker gives a non-root user no ambient ones).
# Capture sees the host's interfaces only with the host's network: run it with network_mode: host
# (docker run --network host --cap-drop ALL --cap-add NET_RAW --cap-add NET_BIND_SERVICE …).

FROM debian:bookworm-slim AS build
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git nodejs npm \
 && rm -rf /var/lib/apt/lists/* \
 && npm install -g deno@2.9.6
WORKDIR /src
COPY deno.json deno.lock ./
COPY main.ts ./
COPY scripts/ scripts/
COPY src/ src/
COPY ui/ ui/
ARG DENORT_BIN=
ARG FLINTNET_BUILD_COMMIT=unknown
RUN DENORT_BIN="${DENORT_BIN}" FLINTNET_BUILD_COMMIT="${FLINTNET_BUILD_COMMIT}" deno task compile

FROM debian:bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 ieee-data libwireshark-data libcap2-bin \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/flintnet --shell /usr/sbin/nologin flintnet \
 && install -d -o flintnet -g flintnet -m 0700 /var/lib/flintnet
COPY --from=build /src/dist/flintnet /usr/local/bin/flintnet
RUN setcap cap_net_raw,cap_net_bind_service=ep /usr/local/bin/flintnet \
 && apt-get purge -y libcap2-bin
USER flintnet
ENV FLINTNET_STATE_DIR=/var/lib/flintnet \
    FLINTNET_ENV_FILE=/dev/null
VOLUME ["/var/lib/flintnet"]
EXPOSE 8480
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/flintnet"]
