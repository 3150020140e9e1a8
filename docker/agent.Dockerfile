# syntax=docker/dockerfile:1.7-labs
# The Planekeeper client agent, run at customer sites. Build from the repository root:
#   docker build -f docker/agent.Dockerfile -t planekeeper/agent .
# Only outbound connections: the image exposes no port unless AGENT_METRICS_PORT is set.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
ENV CI=true
RUN npm install --global pnpm@10.34.8
WORKDIR /repo
# Manifests first: the dependency layer is rebuilt only when they change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
COPY apps/agent/package.json apps/agent/
COPY packages/domain/package.json packages/domain/
COPY packages/runtime/package.json packages/runtime/
RUN --mount=type=cache,id=pnpm-store,target=/root/.local/share/pnpm/store \
    pnpm install --frozen-lockfile --filter "@planekeeper/agent..."
COPY --exclude=node_modules --exclude=dist packages/domain packages/domain
COPY --exclude=node_modules --exclude=dist packages/runtime packages/runtime
COPY --exclude=node_modules --exclude=dist apps/agent apps/agent
# Build the agent and the workspace packages it uses, then copy the agent with its production
# dependencies (workspace packages included as built copies) to /out.
RUN pnpm --filter "@planekeeper/agent..." run build \
 && pnpm --filter @planekeeper/agent deploy --prod --legacy /out

FROM ${NODE_IMAGE} AS runtime
# git and ssh run scrapes; tini reaps what a timed-out git leaves behind (node as PID 1 does not).
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    AGENT_CACHE_DIR=/tmp/planekeeper \
    AGENT_STATE_DIR=/var/lib/planekeeper
WORKDIR /app
COPY --from=build /out/package.json ./package.json
COPY --from=build /out/dist ./dist
COPY --from=build /out/node_modules ./node_modules
# The image's `node` user (uid 1000) runs the agent; the git cache is a volume it owns, and so is
# the state directory, where an agent started with AGENT_ENROLLMENT_TOKEN keeps the key it enrolled
# for (mode 0600): keep that volume and a restart needs no token.
RUN mkdir -p /tmp/planekeeper /var/lib/planekeeper /etc/planekeeper \
 && chown node:node /tmp/planekeeper /var/lib/planekeeper \
 && chmod 700 /var/lib/planekeeper
VOLUME ["/tmp/planekeeper", "/var/lib/planekeeper"]
USER node
# Liveness only: a Planekeeper server that is away must not get the agent restarted. Without an
# ops port the check is that node still answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const p = process.env.AGENT_METRICS_PORT; if (!p) process.exit(0); fetch('http://127.0.0.1:' + p + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# The same command as apps/agent/package.json's start script, which bench/memory.ts runs (an agent
# test keeps the two equal). --max-semi-space-size=1 (MB): V8's young generation otherwise grows
# to 2 x 8 MB with the burst of allocation at start and stays that size, mostly resident, while
# the agent idles; capped, the idle agent holds 7 MB less (84 -> 77 MB), and a 10 MB index.yaml or
# 100,000 tags take no more CPU (and a lower peak of memory).
CMD ["node", "--max-semi-space-size=1", "dist/main.js"]
