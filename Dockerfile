# The ledger's API for the production-like setup of docker-compose.yml, on Node 24 LTS (Node 20
# reached its end of life in April 2026; .ci/run runs the tests on Node 24 too).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The witness folder of the signed checkpoints: a volume, written by the service's user.
RUN mkdir /witness && chown node:node /witness
USER node
EXPOSE 3000
# The memory settings (docs/design-notes.md, "Long streams and memory"): as npm start runs it.
ENV MALLOC_ARENA_MAX=2
CMD ["node", "--max-old-space-size=192", "--max-semi-space-size=8", "dist/apps/api/src/main.js"]
