import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('the start command', () => {
  it('is the same in the image and in the start script that bench/memory.ts measures', () => {
    const start = (JSON.parse(read('../package.json')) as { scripts: { start: string } }).scripts.start;
    // The last CMD: the HEALTHCHECK's CMD is indented on its continuation line.
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(read('../../../docker/agent.Dockerfile'))?.[1] ?? '[]') as string[];
    expect(cmd.join(' ')).toBe(start);
  });
});
