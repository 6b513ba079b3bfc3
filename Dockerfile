# syntax=docker/dockerfile:1
# SyncroBoard service image: one image, each service picks its entry (compose.yaml `command`). Bun is pinned to
# package.json "packageManager"; infra/check-compose.sh checks that they match.
# Build: docker build -t syncroboard/services .   Run: see compose.yaml (env vars).

# 1. Only the manifests, so the dependency layer is rebuilt only when they change.
FROM oven/bun:1.4.5 AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp -r package.json bun.lock bunfig.toml patches /manifests/ \
 && find shared services -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \;

# 2. Production dependencies, exactly as locked.
FROM oven/bun:1.4.5 AS deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN bun install --frozen-lockfile --production

# 3. Runtime: dependencies + sources (see .dockerignore), unprivileged.
FROM oven/bun:1.4.5
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3002
COPY --from=deps /app/ ./
COPY . .
# The Auth Service's generated development key lives here (a volume in compose).
RUN mkdir -p /data/auth && chown bun:bun /data/auth
USER bun
EXPOSE 3002
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD ["bun", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3002) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["bun", "services/tickets/src/main.ts"]
