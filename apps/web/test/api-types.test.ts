import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { renderApiTypes, SCHEMA_FILE } from '../scripts/render-api-types.ts';

describe('src/api/schema.d.ts', () => {
  it('is what the api\'s route table produces today (else run pnpm --filter @planekeeper/web api-types)', async () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    const fresh = await renderApiTypes();
    if (committed !== fresh) throw new Error('apps/web/src/api/schema.d.ts is stale: run `pnpm --filter @planekeeper/web api-types` and commit the result');
    expect(committed).toBe(fresh);
  });
});
