import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from './logger.ts';

describe('createLogger', () => {
  it('writes JSON lines with secrets redacted wherever they sit', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ service: 'notifier', level: 'info', destination });
    logger.info({ channel: { id: 'c1', url: 'https://hooks.slack.com/services/T/B/XYZ', secret: 'whsec_abc' }, key: 'pk_live' }, 'delivering');
    logger.info({ headers: { authorization: 'Bearer pk_live' } }, 'request');
    const text = lines.join('');
    expect(text).not.toMatch(/hooks\.slack\.com|whsec_abc|pk_live/);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ level: 'info', service: 'notifier', msg: 'delivering', channel: { id: 'c1', url: '[redacted]' } });
  });
});
