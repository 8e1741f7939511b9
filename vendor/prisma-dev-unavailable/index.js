'use strict';
// Stands in for @prisma/dev, the package behind `prisma dev` (see package.json here). The Prisma
// CLI loads it at start, so loading must succeed; using it fails with a sentence saying why.
function unavailable() {
  throw new Error(
    '`prisma dev` is not available in this project: `npm start` runs an embedded PostgreSQL instead.',
  );
}
class ServerState {
  static from() {
    return unavailable();
  }
}
module.exports = { startPrismaDevServer: unavailable, unstable_startServer: unavailable, ServerState };
