# One image per service from one file:
#   docker build --build-arg SERVICE=order -t runrun/order:<tag> .
# SERVICE: gateway, user, brand, product, order, payment or cron-jobs.
# The pods (kubernetes/) and infra/docker-compose.yml run it with a read-only root filesystem:
# nothing is written outside /tmp.

ARG NODE_IMAGE=node:20.19-bookworm-slim

# ---------------------------------------------------------------- build: every workspace
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json tsconfig.base.json tsconfig.build.json ./
COPY libs/contracts/package.json libs/contracts/
COPY libs/common/package.json libs/common/
COPY libs/mysql/package.json libs/mysql/
COPY libs/auth/package.json libs/auth/
COPY libs/storage/package.json libs/storage/
COPY libs/launcher/package.json libs/launcher/
COPY libs/testkit/package.json libs/testkit/
COPY gateway/package.json gateway/
COPY user/package.json user/
COPY brand/package.json brand/
COPY product/package.json product/
COPY order/package.json order/
COPY payment/package.json payment/
COPY cron-jobs/package.json cron-jobs/
COPY load-test/package.json load-test/
RUN npm ci --no-audit --no-fund
COPY . .
RUN bash scripts/build.sh
ARG SERVICE
# The compiled code this service runs: its own and its @runrun libraries' (and their files read
# at run time, e.g. the .proto files), gathered in /out by the package graph.
RUN test -n "${SERVICE}" && node scripts/image-files.mjs "${SERVICE}" /out

# ------------------------------------------- deps: production dependencies of one service
FROM ${NODE_IMAGE} AS deps
ARG SERVICE
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/libs/contracts/package.json libs/contracts/
COPY --from=build /app/libs/common/package.json libs/common/
COPY --from=build /app/libs/mysql/package.json libs/mysql/
COPY --from=build /app/libs/auth/package.json libs/auth/
COPY --from=build /app/libs/storage/package.json libs/storage/
COPY --from=build /app/libs/launcher/package.json libs/launcher/
COPY --from=build /app/libs/testkit/package.json libs/testkit/
COPY --from=build /app/gateway/package.json gateway/
COPY --from=build /app/user/package.json user/
COPY --from=build /app/brand/package.json brand/
COPY --from=build /app/product/package.json product/
COPY --from=build /app/order/package.json order/
COPY --from=build /app/payment/package.json payment/
COPY --from=build /app/cron-jobs/package.json cron-jobs/
COPY --from=build /app/load-test/package.json load-test/
# Only this service's runtime tree (its @runrun/* libraries are linked workspaces).
RUN test -n "${SERVICE}" \
 && npm ci --omit=dev --no-audit --no-fund --ignore-scripts --workspace "${SERVICE}" \
 && npm cache clean --force

# ------------------------------------------------------------------------------- runtime
FROM ${NODE_IMAGE}
ARG SERVICE
# FILES_DIR: uploads with STORAGE=local go to the writable /tmp, not next to the code
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    TMPDIR=/tmp \
    FILES_DIR=/tmp/files \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY --from=deps --chown=root:root /app ./
# Compiled code only, owned by root and not writable by the uid that runs it.
COPY --from=build /out ./
# A fixed entry point whatever the service (exec form cannot expand SERVICE); node follows
# the link, so __dirname is still the service's dist.
RUN ln -s "${SERVICE}/dist/main.js" main.js
# The node user of the official image (uid/gid 1000), as the pods' runAsUser expects.
USER 1000:1000
# Exec form, no shell or npm in between: node is PID 1 and gets SIGTERM itself, on which the
# services drain (up to ~10 s) and exit.
ENTRYPOINT ["node", "--enable-source-maps"]
CMD ["main.js"]
