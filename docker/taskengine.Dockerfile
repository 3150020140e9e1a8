# syntax=docker/dockerfile:1
# Image of @planekeeper/taskengine. Build from the repository root:
#   docker build -f docker/taskengine.Dockerfile -t planekeeper/taskengine .
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
RUN npm install --global --no-audit --no-fund pnpm@10.34.8
WORKDIR /src
# Manifests first, so the dependency layer is cached until a lockfile or package.json changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
COPY packages/domain/package.json packages/domain/
COPY packages/db/package.json packages/db/
COPY packages/runtime/package.json packages/runtime/
COPY apps/taskengine/package.json apps/taskengine/
RUN pnpm install --frozen-lockfile --filter "@planekeeper/taskengine..."
COPY packages/ packages/
COPY apps/taskengine/ apps/taskengine/
RUN pnpm --filter "@planekeeper/taskengine..." run build \
 && pnpm --filter "@planekeeper/taskengine" deploy --legacy --prod /out

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=8081
WORKDIR /app
COPY --from=build --chown=node:node /out ./
USER node
EXPOSE 8081
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
