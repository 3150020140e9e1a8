import { z } from 'zod';
import { idSchema, timestampSchema } from './common.ts';

/** `POST /session`: the key pasted into the web UI's login form; never kept. */
export const sessionCreateSchema = z.strictObject({ key: z.string().min(1).max(256) }).meta({ id: 'SessionCreate' });

/** Who the caller is: what the web UI shows and hides by (the api enforces roles regardless). */
export const meResponseSchema = z
  .object({
    keyId: idSchema,
    keyName: z.string(),
    role: z.enum(['admin', 'member', 'viewer']),
    bootstrap: z.boolean().describe('The installation\'s bootstrap key: may create organizations'),
    organization: z.object({ id: idSchema, name: z.string() }),
    session: z.boolean().describe('Authenticated by the web UI\'s session cookie (not a key header)'),
  })
  .meta({ id: 'Me' });
/** `GET /me`. */
export type MeResponse = z.infer<typeof meResponseSchema>;

const count = z.number().int().min(0);

/** An evaluation that could not decide, with why. */
export const unknownEvaluationSchema = z.object({ alertConfigId: idSchema, alertConfigName: z.string(), reason: z.string().nullable(), evaluatedAt: timestampSchema });

/** The dashboard's figures for the caller's organization. */
export const summaryResponseSchema = z
  .object({
    openAlerts: z.object({ moderate: count, high: count, critical: count, total: count }),
    unacknowledged: count.describe('Open alerts nobody has acknowledged'),
    unknownEvaluations: count,
    unknownEvaluationSamples: z.array(unknownEvaluationSchema).describe('Up to ten, latest first'),
    tasksFailed24h: count.describe('Tasks that failed in the last 24 hours'),
    deadDeliveries: count,
    agents: z.object({ online: count, offline: count, draining: count }),
    pendingTasksNoAgent: count.describe('Pending tasks no online, undrained agent can take (capability and credential)'),
  })
  .meta({ id: 'Summary' });
/** `GET /summary`. */
export type SummaryResponse = z.infer<typeof summaryResponseSchema>;
