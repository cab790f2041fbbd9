// Writes scenarios/scenario.schema.json from the zod schema, for editor completion and checks.
// `npm run schema` after changing schema/scenario.ts; a test fails while the file is stale.
import { writeFileSync } from 'node:fs';
import { scenarioJsonSchema, SCENARIO_SCHEMA_PATH } from '../schema/json-schema.js';

writeFileSync(SCENARIO_SCHEMA_PATH, scenarioJsonSchema());
console.log(`wrote ${SCENARIO_SCHEMA_PATH}`);
