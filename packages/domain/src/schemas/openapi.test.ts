import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import * as schemas from './index.ts';

// The api generates its OpenAPI 3.1 document from these schemas: each must convert.
const exported = Object.entries(schemas as Record<string, unknown>).flatMap(([name, value]) =>
  value instanceof z.ZodType ? [[name, value] as const] : [],
);

type JsonObject = { $ref?: string; $defs?: Record<string, Record<string, unknown>> };
const definition = (schema: z.ZodType, id: string): Record<string, unknown> | undefined =>
  (z.toJSONSchema(schema, { io: 'input' }) as JsonObject).$defs?.[id];

describe('JSON Schema generation', () => {
  it('finds the exported schemas', () => {
    expect(exported.length).toBeGreaterThan(60);
  });

  it.each(['input', 'output'] as const)('every exported schema converts (io: %s)', (io) => {
    const failures: string[] = [];
    for (const [name, schema] of exported) {
      try {
        z.toJSONSchema(schema, { io });
      } catch (error) {
        failures.push(`${name}: ${String(error)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('the registry of ids converts as a whole (components/schemas)', () => {
    const all = z.toJSONSchema(z.globalRegistry, { io: 'input', uri: (id) => `#/components/schemas/${id}` });
    expect(Object.keys(all.schemas)).toEqual(
      expect.arrayContaining(['GatherJobCreate', 'GatherJobUpdate', 'GatherJob', 'ScrapeJobCreate', 'RuleCreate', 'Alert', 'Evaluation', 'Error', 'TaskResultBody']),
    );
  });

  it('request bodies forbid unknown keys and list what is required', () => {
    const rule = definition(schemas.ruleCreateSchema, 'RuleCreate');
    expect(rule?.additionalProperties).toBe(false);
    expect(rule?.required).toEqual(['name', 'type', 'moderate', 'high', 'critical']);
  });

  it('the gather job create body is a oneOf of its six source types', () => {
    expect(definition(schemas.gatherJobCreateSchema, 'GatherJobCreate')?.oneOf).toHaveLength(schemas.SOURCE_TYPE_VALUES.length);
    expect(schemas.SOURCE_TYPE_VALUES).toHaveLength(6);
  });
});
