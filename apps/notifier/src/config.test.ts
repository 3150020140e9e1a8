import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@planekeeper/runtime';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 8083,
      LOG_LEVEL: 'info',
      NOTIFIER_RETRY_BASE_SECONDS: 30,
      NOTIFIER_RETRY_LIMIT: 11,
      NOTIFIER_ALLOW_PRIVATE_TARGETS: false,
      NOTIFIER_REQUEST_TIMEOUT_SECONDS: 10,
      PUBLIC_URL: 'http://localhost:8080',
    });
  });

  it('reads fractional seconds and switches', () => {
    expect(loadConfig({ NOTIFIER_RETRY_BASE_SECONDS: '0.2', NOTIFIER_ALLOW_PRIVATE_TARGETS: 'true', NOTIFIER_POLL_INTERVAL_SECONDS: '0.5' })).toMatchObject({
      NOTIFIER_RETRY_BASE_SECONDS: 0.2,
      NOTIFIER_ALLOW_PRIVATE_TARGETS: true,
      NOTIFIER_POLL_INTERVAL_SECONDS: 0.5,
    });
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      loadConfig({ NOTIFIER_RETRY_LIMIT: 'eleven', NOTIFIER_ALLOW_PRIVATE_TARGETS: 'maybe', PUBLIC_URL: 'ftp://x', NOTIFIER_POLL_INTERVAL_SECONDS: '0.1' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['NOTIFIER_RETRY_LIMIT', 'NOTIFIER_ALLOW_PRIVATE_TARGETS', 'PUBLIC_URL', 'NOTIFIER_POLL_INTERVAL_SECONDS']) expect(message).toContain(name);
  });
});
