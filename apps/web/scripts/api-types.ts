// `pnpm --filter @planekeeper/web api-types`: writes src/api/schema.d.ts, the types of every call
// the UI makes, from the api's own route table (the OpenAPI document it serves). The web test
// api-types.test.ts fails when the committed file differs from what this writes.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderApiTypes, SCHEMA_FILE } from './render-api-types.ts';

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, await renderApiTypes());
  console.log(`wrote ${SCHEMA_FILE}`);
}
