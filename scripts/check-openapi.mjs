#!/usr/bin/env node
// Checks an OpenAPI document as a client would rely on it: Redocly's `recommended` lint (no
// errors allowed), then openapi-typescript generates the typed client's definitions into the
// second argument. Usage: node scripts/check-openapi.mjs <openapi.json> [<out.d.ts>]
// Prints one JSON object: {errors: [...], warnings: [...]}; exits 1 when there is an error.
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const [input, output] = process.argv.slice(2);
const source = readFileSync(input, 'utf8');
const config = await createConfig({ extends: ['recommended'] });
const problems = await lintFromString({
  source,
  absoluteRef: pathToFileURL(input).href,
  config,
});
const describe = (problem) => ({
  rule: problem.ruleId,
  message: problem.message,
  where: problem.location?.[0]?.pointer,
});
const errors = problems.filter((p) => p.severity === 'error').map(describe);
const warnings = problems.filter((p) => p.severity === 'warn').map(describe);
if (output) writeFileSync(output, astToString(await openapiTS(JSON.parse(source), { defaultNonNullable: false })));
console.log(JSON.stringify({ errors, warnings }, null, 2));
process.exit(errors.length > 0 ? 1 : 0);
