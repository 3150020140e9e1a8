import { z } from 'zod';
import { idSchema, timestampSchema } from './common.ts';

const hostSchema = z
  .string()
  .trim()
  .min(1, 'host must not be empty')
  .max(253, 'host must be at most 253 characters')
  .regex(/^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?\.?)+$|^\[?[0-9A-Fa-f:.]+\]?$/, 'host must be a host name or an IP address');

const portSchema = z.number('port must be a number').int('port must be an integer').min(1, 'port must be 1..65535').max(65535, 'port must be 1..65535');

/** `POST /agents/:id/probes`: a URL (http or https), or a host and port (TCP only). */
export const probeCreateSchema = z
  .union([
    z.strictObject({
      url: z
        .string()
        .max(2048, 'url must be at most 2048 characters')
        .refine((value) => /^https?:\/\/[^\s/]+/.test(value) && URL.canParse(value), 'url must be an http:// or https:// URL'),
    }),
    z.strictObject({ host: hostSchema, port: portSchema }),
  ], { error: 'give either { url } or { host, port }' })
  .meta({ id: 'AgentProbeCreate' });
/** Body of `POST /agents/:id/probes`. */
export type ProbeCreate = z.infer<typeof probeCreateSchema>;

/** What the agent is asked to reach: `tls` for an https URL. */
export const probeTargetSchema = z
  .object({ host: z.string().max(253), port: z.number().int().min(1).max(65535), tls: z.boolean(), url: z.string().max(2048).optional() })
  .meta({ id: 'AgentProbeTarget' });
/** What the agent is asked to reach. */
export type ProbeTarget = z.infer<typeof probeTargetSchema>;

const text = (max: number) => z.string().max(max);

/** One step of a probe: resolve, connect, tls. */
export const probeStepSchema = z.object({
  step: z.enum(['resolve', 'connect', 'tls']),
  ok: z.boolean(),
  ms: z.number().min(0).max(600_000),
  detail: text(1000).optional().describe('The addresses resolved, the address reached, the TLS protocol'),
  error: text(1000).optional().describe('Why the step failed'),
});

/** What an agent reports of a probe. */
export const probeReportSchema = z
  .strictObject({
    outcome: z.enum(['succeeded', 'failed', 'refused']),
    steps: z.array(probeStepSchema).max(3),
    address: text(100).optional().describe('The address:port connected to'),
    certificate: z
      .object({
        subject: text(1000),
        issuer: text(1000),
        validFrom: timestampSchema,
        validTo: timestampSchema,
        trusted: z.boolean().describe('Whether the agent\'s CA bundle trusts it for this host'),
        trustError: text(1000).optional(),
      })
      .optional(),
    error: text(1000).optional().describe('For a refusal or a failed step: why, in one line'),
  })
  .meta({ id: 'AgentProbeReport' });
/** What an agent reports of a probe. */
export type ProbeReport = z.infer<typeof probeReportSchema>;

/** `POST /agent/probes/:id/result`. */
export const probeResultBodySchema = z.strictObject({ agentId: idSchema, report: probeReportSchema }).meta({ id: 'AgentProbeResultBody' });
/** Body of `POST /agent/probes/:id/result`. */
export type ProbeResultBody = z.infer<typeof probeResultBodySchema>;

/** A probe as the automation API shows it. */
export const probeResponseSchema = z
  .object({
    id: idSchema,
    agentId: idSchema,
    target: probeTargetSchema,
    status: z.enum(['pending', 'sent', 'succeeded', 'failed', 'refused']).describe('pending: waiting for the agent; sent: the agent has it'),
    report: probeReportSchema.nullable(),
    createdAt: timestampSchema,
    completedAt: timestampSchema.nullable(),
  })
  .meta({ id: 'AgentProbe' });
/** A probe as the API shows it. */
export type ProbeResponse = z.infer<typeof probeResponseSchema>;

/** Path of `GET /agents/:id/probes/:probeId`; an id of no probe is a 404, as any id. */
export const probeParamsSchema = z.strictObject({ id: idSchema, probeId: z.string().max(100) });

/** Largest effective configuration an agent may report, in bytes of JSON. */
export const EFFECTIVE_CONFIG_MAX_BYTES = 16_384;

const configValue: z.ZodType<unknown> = z.union([z.string().max(4096), z.number(), z.boolean(), z.null(), z.array(z.string().max(4096)).max(200)]);

/** `POST /agent/diagnostics`: the agent's effective configuration (secrets redacted), and a poll for probes. */
export const agentDiagnosticsSchema = z
  .strictObject({
    agentId: idSchema,
    effectiveConfig: z
      .record(z.string().max(100), configValue)
      .refine((value) => Object.keys(value).length <= 100, 'effectiveConfig must have at most 100 settings')
      .refine((value) => JSON.stringify(value).length <= EFFECTIVE_CONFIG_MAX_BYTES, `effectiveConfig must be at most ${EFFECTIVE_CONFIG_MAX_BYTES} bytes`),
  })
  .meta({ id: 'AgentDiagnostics' });
/** Body of `POST /agent/diagnostics`. */
export type AgentDiagnostics = z.infer<typeof agentDiagnosticsSchema>;

/** The answer: probes waiting for this agent. */
export const agentDiagnosticsResponseSchema = z
  .object({ probes: z.array(z.object({ id: idSchema, target: probeTargetSchema })) })
  .meta({ id: 'AgentDiagnosticsResponse' });
/** The answer to `POST /agent/diagnostics`. */
export type AgentDiagnosticsResponse = z.infer<typeof agentDiagnosticsResponseSchema>;

/** `GET /agents/:id/diagnostics`. */
export const agentDiagnosticsViewSchema = z
  .object({
    agentId: idSchema,
    effectiveConfig: z.record(z.string(), z.unknown()).nullable().describe('As the agent last reported it, every secret redacted; null before its first report'),
    reportedAt: timestampSchema.nullable(),
  })
  .meta({ id: 'AgentDiagnosticsView' });
/** `GET /agents/:id/diagnostics`. */
export type AgentDiagnosticsView = z.infer<typeof agentDiagnosticsViewSchema>;
