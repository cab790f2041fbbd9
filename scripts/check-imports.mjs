#!/usr/bin/env node
// Import rules per folder, checked in CI: the engine knows nothing of HTTP or sockets, the
// shared schema depends on zod only, the demo site never reaches into Turnout's server.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const RULES = [
  { folder: 'schema', allow: (spec) => spec === 'zod' || spec === 'node:url' || spec.startsWith('./'), why: 'the shared schema depends on zod only' },
  { folder: 'server/src/engine', deny: /^(express|socket\.io|node:http|node:https|smtp-server)$/, why: 'the engine knows nothing of HTTP or sockets' },
  { folder: 'server/src/mail', deny: /^(playwright-core|express|socket\.io)$/, why: 'the sink knows nothing of browsers or routes' },
  { folder: 'server/src/runs', deny: /^(playwright-core|express|socket\.io)$/, why: 'aggregation is pure' },
  { folder: 'scenarios/demo-site', deny: /server\/src|playwright-core/, why: 'the demo target is a stand-alone site' },
  { folder: 'ui/src', deny: /server\/|playwright-core|^zod$|\/schema\/(index|parse|scenario)\.js$/, why: 'the dashboard takes types from the schema, nothing that runs' },
  {
    folder: 'extension/src/content',
    allow: (spec, line) => spec.startsWith('./') || spec === '../shared/scrub.js' || /^\s*import type /.test(line),
    why: 'content scripts run in every page: their own files, and types only from outside',
  },
];

const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.(ts|js|mjs)$/.test(name) ? [path] : [];
  });

const IMPORT = /(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
let problems = 0;
for (const rule of RULES) {
  for (const file of files(rule.folder)) {
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      const bad = rule.allow ? !rule.allow(spec, m[0].trim()) : rule.deny.test(spec);
      if (bad) {
        problems++;
        console.error(`${relative('.', file)}: imports "${spec}" — ${rule.why}`);
      }
    }
  }
}
if (problems) process.exit(1);
console.log('import rules hold');
