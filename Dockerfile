# syntax=docker/dockerfile:1
#
# Flowline's three images, one target each, built from the repository root:
#
#   docker build --target function     -t flowline-function .      # node runtime/run.ts functions/<name>
#   docker build --target gateway      -t flowline-gateway .       # node gateway/main.ts
#   docker build --target edge-adapter -t flowline-edge-adapter .  # node edge-adapter/main.ts --config <file>
#                                                                  # (or node edge-site/main.ts --config <file>)
#
# Node.js 24 runs the TypeScript sources as they are (type stripping): no build step,
# only the production dependencies. Every image runs as uid 1000 (numeric, so
# Kubernetes' runAsNonRoot can verify it) on a read-only copy of the code.
# Pin NODE_IMAGE by digest in your registry mirror (name:tag@sha256:…) for reproducible builds.

ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# Production node_modules. Install scripts stay off: the one the project needs,
# patch-package (the kafkajs fix in patches/), is run here explicitly, then the
# devDependencies are pruned. Native modules (serialport) ship prebuilt binaries.
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --ignore-scripts --no-audit --no-fund \
  && ./node_modules/.bin/patch-package \
  && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force

# What every image shares: Node without npm (nothing installs at run time), the
# dependencies, and the code every process imports.
FROM ${NODE_IMAGE} AS base
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
  /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY runtime ./runtime
COPY contracts ./contracts
COPY config ./config

# The function runner; the chart passes one folder per Deployment (args: functions/<name>).
# It also carries keda/ for the lag exporter (node keda/lag-command.ts --serve 9464).
FROM base AS function
COPY functions ./functions
COPY keda ./keda
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "runtime/run.ts"]

# The HTTP gateway and the operators' web UI.
FROM base AS gateway
COPY gateway ./gateway
# The functions' manifests (invocation, status board) and persist's history queries (it
# owns the schema); lag and replica numbers come from keda/.
COPY functions ./functions
COPY keda ./keda
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "gateway/main.ts"]

# The field side: Modbus/OPC UA in, Kafka out. Its store-and-forward buffer and OPC UA
# PKI go to FLOWLINE_STATE_DIR, a volume in any real deployment. The same image runs a
# site alone (entrypoint node edge-site/main.ts: the adapter with validate, alarm, notify
# and the operators' console beside it), hence the functions, the gateway and the embedded
# console's few files of local-dev/.
FROM base AS edge-adapter
COPY edge-adapter ./edge-adapter
COPY edge-site ./edge-site
COPY functions ./functions
COPY gateway ./gateway
COPY keda ./keda
COPY local-dev/embedded-console.ts local-dev/embedded-resources.ts local-dev/embedded-env.ts ./local-dev/
COPY local-dev/services/paths.ts ./local-dev/services/
RUN mkdir -p /var/lib/flowline && chown 1000:1000 /var/lib/flowline
ENV FLOWLINE_STATE_DIR=/var/lib/flowline
USER 1000:1000
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "edge-adapter/main.ts"]
CMD ["--config", "/etc/flowline/edge-adapter/edge-adapter.yaml"]
