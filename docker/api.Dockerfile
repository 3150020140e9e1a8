# syntax=docker/dockerfile:1
# Image of @planekeeper/api. Build from the repository root:
#   docker build -f docker/api.Dockerfile -t planekeeper/api .
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
RUN npm install --global --no-audit --no-fund pnpm@10.34.8
WORKDIR /src
# Manifests first, so the dependency layer is cached until a lockfile or package.json changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
COPY packages/domain/package.json packages/domain/
COPY packages/db/package.json packages/db/
COPY packages/runtime/package.json packages/runtime/
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
RUN pnpm install --frozen-lockfile --filter "@planekeeper/api..." --filter "@planekeeper/web"
COPY packages/ packages/
COPY apps/api/ apps/api/
COPY apps/web/ apps/web/
# The web UI is a folder of static files the api serves at /ui/ (UI_DIR): built here, copied below.
RUN pnpm --filter "@planekeeper/api..." run build \
 && pnpm --filter "@planekeeper/web" run build \
 && pnpm --filter "@planekeeper/api" deploy --legacy --prod /out

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=8080 UI_DIR=/app/ui
WORKDIR /app
COPY --from=build --chown=node:node /out ./
COPY --from=build --chown=node:node /src/apps/web/dist ./ui
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
