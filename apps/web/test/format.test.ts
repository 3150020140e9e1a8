import { describe, expect, it } from '@jest/globals';
import { ago, behindUnit, safeHref } from '../src/api/format.ts';

describe('safeHref', () => {
  it('keeps http(s) links and turns everything else into no link (javascript:, data:, relative, garbage)', () => {
    expect(safeHref('https://github.com/acme/widget/releases/tag/v1.0.0')).toBe('https://github.com/acme/widget/releases/tag/v1.0.0');
    expect(safeHref('http://example.com/x')).toBe('http://example.com/x');
    for (const url of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', '/relative', 'not a url', '', null, undefined]) {
      expect(safeHref(url)).toBeNull();
    }
  });
});

describe('ago and behindUnit', () => {
  it('say how long ago in the largest whole unit, and the unit of a rule', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    expect(ago('2026-01-01T23:59:30Z', now)).toBe('30 s ago');
    expect(ago('2026-01-01T23:00:00Z', now)).toBe('1 h ago');
    expect(ago('2025-12-30T00:00:00Z', now)).toBe('3 d ago');
    expect(ago('2026-01-02T00:05:00Z', now)).toBe('in 5 min');
    expect(ago(null, now)).toBe('—');
    expect([behindUnit('majors_behind', 1), behindUnit('minors_behind', 3), behindUnit('days_behind', 40)]).toEqual(['major', 'minors', 'days']);
  });
});
