import { describe, expect, it } from '@jest/globals';
import { dump } from 'js-yaml';
import { readHelmCharts } from './helm-index.ts';

const index = {
  apiVersion: 'v1',
  entries: {
    'cert-manager': [
      { name: 'cert-manager', version: 'v1.15.3', created: '2024-08-21T12:00:00Z', urls: ['charts/cert-manager-v1.15.3.tgz'] },
      { name: 'cert-manager', version: 'v1.16.0-alpha.0', created: '2024-08-22T12:00:00Z', urls: [] },
    ],
    '1password': [{ name: '1password', version: '1.10', created: '2024-01-01T00:00:00Z', urls: [] }],
    empty: [],
  },
  generated: '2024-08-22T12:00:00Z',
};

const expected = [
  {
    name: 'cert-manager',
    versions: [
      { version: 'v1.15.3', created: '2024-08-21T12:00:00Z', urls: ['charts/cert-manager-v1.15.3.tgz'] },
      { version: 'v1.16.0-alpha.0', created: '2024-08-22T12:00:00Z', urls: [] },
    ],
  },
  { name: '1password', versions: [{ version: '1.10', created: '2024-01-01T00:00:00Z', urls: [] }] },
  { name: 'empty', versions: [] },
];

// As Helm (Go yaml) writes it: list items at their key's indent.
const HELM_LAYOUT = `apiVersion: v1
entries:
  cert-manager:
  - created: "2024-08-21T12:00:00Z"
    name: cert-manager
    urls:
    - charts/cert-manager-v1.15.3.tgz
    version: v1.15.3
  - created: "2024-08-22T12:00:00Z"
    name: cert-manager
    urls: []
    version: v1.16.0-alpha.0
  "1password":
  - created: "2024-01-01T00:00:00Z"
    name: 1password
    urls: []
    version: "1.10"
  empty: []
generated: "2024-08-22T12:00:00Z"
`;

const sortByName = <T extends { name: string }>(charts: T[]) => [...charts].sort((a, b) => a.name.localeCompare(b.name));

describe('readHelmCharts', () => {
  it('reads the layout Helm writes (list items at the key indent), chart by chart', () => {
    expect(sortByName([...readHelmCharts(HELM_LAYOUT)])).toEqual(sortByName(expected));
  });

  it('reads other layouts (indented lists, JSON, CRLF) the same way', () => {
    for (const text of [dump(index), JSON.stringify(index), JSON.stringify(index, null, 2), HELM_LAYOUT.replace(/\n/g, '\r\n')]) {
      expect(sortByName([...readHelmCharts(text)])).toEqual(sortByName(expected));
    }
  });

  it('parses only the wanted charts', () => {
    const text = HELM_LAYOUT.replace('  empty: []', '  empty: [unclosed');
    expect([...readHelmCharts(text, (name) => name === '1password')]).toEqual([expected[1]]);
    expect(() => [...readHelmCharts(text)]).toThrow(/not valid YAML \(chart empty\)/);
  });

  it('reads an index without charts', () => {
    expect([...readHelmCharts('apiVersion: v1\nentries: {}\n')]).toEqual([]);
    expect([...readHelmCharts('apiVersion: v1\nentries:\ngenerated: "2024-01-01T00:00:00Z"\n')]).toEqual([]);
  });
});
