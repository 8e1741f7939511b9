// @ts-check
/**
 * The layering, checked by `npm run lint`: the shared layers (events, common, database, config)
 * know no feature, the webhook is wired in by the application module only, and nothing in src/
 * depends on itself in a circle.
 */
const FEATURES = '(webhook|conversations|reactions|response-feedback|surveys|health|outbound)';
const SHARED = '^src/(events|common|database|config)/';
/** Unit specs may drive a feature's parser or processor to build their input: runtime code only. */
const SPEC = '[.]spec[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A circle makes the import order decide what is undefined at load time.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'webhook-only-from-app-module',
      severity: 'error',
      comment:
        'The webhook is the intake: features hear it through the EventBus, never import it. ' +
        'app.module.ts wires its module in; its delivery route joins the OpenAPI document ' +
        'through the OPENAPI_CONTRIBUTOR token.',
      from: {
        path: '^src/',
        pathNot: ['^src/webhook/', '^src/app[.]module[.]ts$', SPEC],
      },
      to: { path: '^src/webhook/' },
    },
    {
      name: 'shared-layers-know-no-feature',
      severity: 'error',
      comment: 'events, common, database and config sit under every feature; they import none.',
      from: { path: SHARED, pathNot: SPEC },
      to: { path: `^src/${FEATURES}/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
