import { describe, expect, it } from '@jest/globals';
import { formatAge, formatDuration, labelOf, renderFields, renderTable, safeText } from './output.ts';

const now = new Date('2026-03-01T12:00:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

describe('ages', () => {
  it('read as the seeds show them: 12s, 3m, 2h, 5d', () => {
    expect(formatDuration(12_400)).toBe('12s');
    expect(formatDuration(59_999)).toBe('59s');
    expect(formatDuration(60_000)).toBe('1m');
    expect(formatDuration(3 * 60_000 + 59_000)).toBe('3m');
    expect(formatDuration(2 * 3600_000 + 59 * 60_000)).toBe('2h');
    expect(formatDuration(5 * 86_400_000 + 3600_000)).toBe('5d');
  });

  it('say "in" for what is ahead and "-" for nothing', () => {
    expect(formatAge(ago(180_000), now)).toBe('3m');
    expect(formatAge(ago(-180_000), now)).toBe('in 3m');
    expect(formatAge(null, now)).toBe('-');
  });
});

describe('renderTable', () => {
  it('pads columns to their widest cell, three spaces apart, headers upper case', () => {
    expect(renderTable(['name', 'last seen'], [['agent-us-east-1', '12s'], ['b', '3m']])).toBe(
      'NAME              LAST SEEN\nagent-us-east-1   12s\nb                 3m\n',
    );
  });

  it('renders control characters and direction overrides as ?', () => {
    expect(renderTable(['name'], [['a\u001b[31mb\u202ec\nd']])).toBe('NAME\na?[31mb?c?d\n');
  });
});

describe('safeText', () => {
  it('cuts long text with an ellipsis', () => {
    expect(safeText('abcdef', 4)).toBe('abc…');
    expect(safeText('abcd', 4)).toBe('abcd');
  });
});

describe('renderFields', () => {
  it('labels fields in words, shows timestamps as ages, nests objects and lists', () => {
    expect(labelOf('maxConcurrentTasks')).toBe('Max concurrent tasks');
    expect(labelOf('helmSyncJobId')).toBe('Helm sync job ID');
    const text = renderFields(
      { name: 'w1', lastHeartbeatAt: ago(12_000), capabilities: ['gather', 'scrape'], credentials: [], draining: false, health: { cpuPercent: 3.5, clockSkewMs: null }, warnings: [{ code: 'clock_skew', message: 'ahead' }] },
      now,
    );
    expect(text).toBe(
      [
        'Name:               w1',
        `Last heartbeat at:  12s ago (${ago(12_000)})`,
        'Capabilities:       gather, scrape',
        'Credentials:        -',
        'Draining:           no',
        'Health:',
        '  Cpu percent:    3.5',
        '  Clock skew ms:  -',
        'Warnings:',
        '  - Code:     clock_skew',
        '    Message:  ahead',
        '',
      ].join('\n'),
    );
  });
});
