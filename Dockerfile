# The MUTT image: one image for every role. The command picks the role:
#   docker run mutt gateway | mutt run alerter | mutt run forwarder | ... | mutt setup | mutt up | mutt fake-moog
# MUTT runs its TypeScript through tsx (a runtime dependency, see package.json), so `npm ci --omit=dev` keeps
# everything it needs (tsx, esbuild) and drops the test and type-checking tools.
#
#   docker build -t mutt .
#   docker run -e NATS_URL=nats://nats:4222 -e NATS_USER=admin -e NATS_PASS=... -p 8080:8080 mutt up
# (the image carries no nats-server: `mutt up` needs NATS_URL; docker-compose.yml runs one service per role.)

FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-slim
ENV NODE_ENV=production \
    MUTT_HTTP_HOST=0.0.0.0 \
    MUTT_HTTP_PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY protocol ./protocol
COPY actors ./actors
COPY gateway ./gateway
COPY bin ./bin
# bench/ holds the fake Moogsoft behind `mutt fake-moog` (the demo profile of docker-compose.yml).
COPY bench ./bench
COPY deploy/docker ./deploy/docker

# The code is owned by root and read-only for the process; it runs as the image's unprivileged `node` user
# (uid 1000). tsx caches compiled files under /tmp: give a read-only container a tmpfs there.
USER node

# 8080 HTTP (gateway API/UI, or /healthz /readyz /metrics of one actor); syslog 5514 UDP+TCP; traps 1162 UDP.
# All above 1024: no capability needed.
EXPOSE 8080 5514/tcp 5514/udp 1162/udp

# Liveness on the process's own HTTP port (MUTT_HTTP_PORT), never a separate metrics port.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "deploy/docker/healthcheck.mjs", "/healthz"]

# A MUTT process's live heap is ≈ 50 MB with 1,000 rules, but V8 grows it lazily to 250–320 MB RSS under load;
# the cap keeps a process under 200 MB (docs/PERFORMANCE.md). Raise it for much larger rule sets.
ENV NODE_OPTIONS="--max-old-space-size=128"
ENTRYPOINT ["node", "bin/mutt.js"]
CMD ["up"]
