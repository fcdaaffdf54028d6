# Flintnet in a container (first draft; the packaging issue finishes it).
# Capture needs the host's network and raw sockets:
#   docker run --net=host --cap-add=NET_RAW -v flintnet:/var/lib/flintnet flintnet
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates nodejs npm \
 && npm install -g deno@2.9.6
WORKDIR /src
COPY deno.json deno.lock ./
COPY main.ts ./
COPY src/ src/
COPY ui/ ui/
RUN deno task compile

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/dist/flintnet /usr/local/bin/flintnet
ENV FLINTNET_STATE_DIR=/var/lib/flintnet
VOLUME /var/lib/flintnet
EXPOSE 8480
ENTRYPOINT ["/usr/local/bin/flintnet"]
