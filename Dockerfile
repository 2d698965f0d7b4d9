# vigil's image: built with the toolchain better-sqlite3 needs, run slim, as an unprivileged user.
# `npm run image` builds it; where node:20-bookworm-slim cannot be pulled, scripts/base-image.sh makes
# a stand-in from Debian's packages first, under the same name.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
# better-sqlite3 builds against the headers the image ships (/usr/local/include/node) when no prebuilt
# binary can be downloaded, rather than fetching them from nodejs.org
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
COPY scripts/build-web.ts ./scripts/
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# a user of its own; the engine's socket is reached through its group, given with --group-add
RUN groupadd --system --gid 9323 vigil && useradd --system --uid 9323 --gid vigil --home-dir /app --no-create-home vigil \
  && mkdir /data && chown vigil:vigil /data
WORKDIR /app
# VIGIL_LISTEN on every interface: without VIGIL_API_TOKEN vigil refuses to start (exit 2) and says why
ENV NODE_ENV=production VIGIL_DATA_DIR=/data VIGIL_LISTEN=0.0.0.0:9323
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY package.json ./
COPY deploy/healthcheck.js ./deploy/
USER vigil
VOLUME /data
EXPOSE 9323
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s CMD ["node", "deploy/healthcheck.js"]
CMD ["node", "--max-semi-space-size=4", "--single-threaded-gc", "--no-opt", "dist/main.js"]
