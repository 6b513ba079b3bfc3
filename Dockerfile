# syntax=docker/dockerfile:1
# The `syncroboard` binary in a slim image: every role of the board in one file; SERVICES picks the
# roles of a container (compose.yaml runs it as several). Bun is pinned to package.json
# "packageManager"; infra/check-compose.sh checks that they match.
# Build: docker build -t syncroboard/syncroboard .
# Run alone (embedded Postgres, bus and cache in /data): docker run -p 127.0.0.1:3000:3000 -v syncroboard:/data syncroboard/syncroboard

# 1. Only the manifests, so the dependency layer is rebuilt only when they change.
FROM oven/bun:1.4.5 AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp -r package.json bun.lock bunfig.toml patches /manifests/ \
 && find shared services -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \;

# 2. The dependencies, exactly as locked (the board's build and the Postgres binaries come from them).
FROM oven/bun:1.4.5 AS deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN bun install --frozen-lockfile

# 3. The binary: the all-in-one compile script (board prebuilt, migrations and Postgres embedded).
FROM oven/bun:1.4.5 AS build
WORKDIR /app
COPY --from=deps /app/ ./
COPY . .
RUN cd services/all-in-one && bun run compile \
 && /app/dist/syncroboard version

# 4. Runtime: the binary alone on Debian (the glibc it was linked against), unprivileged. Bun brings
# its own root certificates (Google/OIDC, SMTP over TLS); the embedded Postgres needs a named user.
FROM debian:12.12-slim
RUN groupadd --system --gid 10001 syncroboard \
 && useradd --system --uid 10001 --gid syncroboard --home-dir /data --shell /usr/sbin/nologin syncroboard \
 && mkdir -p /data && chown syncroboard:syncroboard /data
COPY --from=build /app/dist/syncroboard /usr/local/bin/syncroboard
# The data folder: the embedded default's database, and auth's generated key (<data>/keys) unless
# SIGNING_KEY is set. Mount a volume there where it matters (no VOLUME: most roles keep nothing).
ENV SYNCROBOARD_DATA=/data \
    PORT=3000
USER syncroboard
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD ["env", "BUN_BE_BUN=1", "syncroboard", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["syncroboard"]
CMD ["serve"]
