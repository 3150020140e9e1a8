import { z } from 'zod';
import { idSchema, listQueryShape, nameSchema, timestampSchema } from './common.ts';
import { taskKindSchema } from './tasks.ts';

/** Prefix of every enrollment token (an API key starts with pk_, so neither passes for the other). */
export const ENROLLMENT_TOKEN_PREFIX = 'pket_';
/** Longest life of an enrollment token: 30 days. */
export const ENROLLMENT_TOKEN_MAX_SECONDS = 30 * 24 * 3600;
/** Most agents one token may enroll. */
export const ENROLLMENT_TOKEN_MAX_USES = 10_000;

/** `POST /agent-enrollment-tokens`. */
export const enrollmentTokenCreateSchema = z
  .strictObject({
    name: nameSchema,
    maxUses: z.number('maxUses must be a number').int('maxUses must be an integer').min(1, 'maxUses must be at least 1').max(ENROLLMENT_TOKEN_MAX_USES, `maxUses must be at most ${ENROLLMENT_TOKEN_MAX_USES}`).default(1),
    expiresInSeconds: z
      .number('expiresInSeconds must be a number')
      .int('expiresInSeconds must be an integer')
      .min(60, 'expiresInSeconds must be at least 60')
      .max(ENROLLMENT_TOKEN_MAX_SECONDS, `expiresInSeconds must be at most ${ENROLLMENT_TOKEN_MAX_SECONDS} (30 days)`)
      .default(3600),
    capabilities: z
      .array(taskKindSchema, { error: 'capabilities must list task kinds: gather, scrape, helm_sync' })
      .min(1, 'capabilities must list at least one task kind')
      .max(3)
      .refine((values) => new Set(values).size === values.length, 'capabilities must not repeat a value')
      .optional()
      .describe('Task kinds the enrolled agents may declare; absent = whatever each agent declares'),
  })
  .meta({ id: 'AgentEnrollmentTokenCreate' });
/** Body of `POST /agent-enrollment-tokens`. */
export type EnrollmentTokenCreate = z.infer<typeof enrollmentTokenCreateSchema>;

/** An enrollment token as the API lists it: never the token or its hash. */
export const enrollmentTokenResponseSchema = z
  .object({
    id: idSchema,
    name: z.string(),
    tokenPrefix: z.string().describe('First characters of the token, to recognise it'),
    capabilities: z.array(taskKindSchema).nullable(),
    maxUses: z.number().int(),
    uses: z.number().int().describe('Agents enrolled with it so far'),
    expiresAt: timestampSchema,
    revokedAt: timestampSchema.nullable(),
    createdAt: timestampSchema,
  })
  .meta({ id: 'AgentEnrollmentToken' });
/** An enrollment token as the API lists it. */
export type EnrollmentTokenResponse = z.infer<typeof enrollmentTokenResponseSchema>;

/** The answer to `POST /agent-enrollment-tokens`: the only time the token is shown. */
export const enrollmentTokenCreatedResponseSchema = enrollmentTokenResponseSchema
  .extend({ token: z.string().startsWith(ENROLLMENT_TOKEN_PREFIX).describe('The token, pket_...; shown only here') })
  .meta({ id: 'AgentEnrollmentTokenCreated' });
/** The answer to `POST /agent-enrollment-tokens`. */
export type EnrollmentTokenCreatedResponse = z.infer<typeof enrollmentTokenCreatedResponseSchema>;

/** `GET /agent-enrollment-tokens` query. */
export const enrollmentTokenListQuerySchema = z.strictObject(listQueryShape);
/** `GET /agent-enrollment-tokens` query. */
export type EnrollmentTokenListQuery = z.infer<typeof enrollmentTokenListQuerySchema>;

/** `POST /agent/enroll`: the token in the body or as the bearer credential. */
export const agentEnrollSchema = z
  .strictObject({
    token: z.string().max(200, 'token is too long').optional().describe('The enrollment token, unless sent as Authorization: Bearer pket_...'),
    name: nameSchema.describe('The agent\'s name (its pod name or hostname): one agent per name in the organization'),
    hostname: z.string().trim().min(1).max(255).optional(),
    version: z.string().trim().min(1).max(100).optional(),
  })
  .meta({ id: 'AgentEnroll' });
/** Body of `POST /agent/enroll`. */
export type AgentEnroll = z.infer<typeof agentEnrollSchema>;

/** The answer to an enrollment: the agent's own key, shown only here. */
export const agentEnrolledResponseSchema = z
  .object({
    agentId: idSchema,
    name: z.string(),
    key: z.string().startsWith('pk_').describe('The agent\'s API key; shown only here'),
    capabilities: z.array(taskKindSchema).nullable().describe('What the token allows the agent to run; null = anything'),
  })
  .meta({ id: 'AgentEnrolled' });
/** The answer to an enrollment. */
export type AgentEnrolledResponse = z.infer<typeof agentEnrolledResponseSchema>;
