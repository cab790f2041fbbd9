#!/usr/bin/env node
// The `turnout` command: runs the TypeScript sources through tsx (Node 20 has no type stripping).
import { register } from 'tsx/esm/api';

register();
await import('../server/src/cli/main.ts');
