import { z } from 'zod';

/** Workload kinds a `kubernetes` scrape job reads the pod template of. */
export const WORKLOAD_KIND_VALUES = ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'] as const;
/** A workload kind. */
export type WorkloadKind = (typeof WORKLOAD_KIND_VALUES)[number];

// RFC 1123 label: what Kubernetes allows for namespace and container names.
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
// RFC 1123 subdomain: what Helm allows for a release name (at most 53 characters).
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

const dnsLabel = (field: string, what: string) =>
  z
    .string()
    .trim()
    .min(1, `${field} must not be empty`)
    .max(63, `${field} must be at most 63 characters`)
    .regex(DNS_LABEL, `${field} must be a Kubernetes ${what}: lower-case letters, digits and -`);

// A label key: an optional DNS-subdomain prefix and '/', then a name of letters, digits, - _ .
const LABEL_KEY = /^(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * Why `selector` is not a Kubernetes label selector (`app=web,tier!=cache`, `env in (prod,stage)`,
 * `!legacy`), or null. Checked here so a typo is a 400 naming the field, not a failed task.
 */
export function labelSelectorProblem(selector: string): string | null {
  // Split on commas outside parentheses: `env in (a,b)` is one requirement.
  const requirements: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (depth < 0 || depth > 1) return 'has unbalanced parentheses';
    if (char === ',' && depth === 0) {
      requirements.push(current.trim());
      current = '';
    } else current += char;
  }
  if (depth !== 0) return 'has unbalanced parentheses';
  requirements.push(current.trim());
  for (const requirement of requirements) {
    if (requirement === '') return 'has an empty requirement (two commas, or a comma at an end)';
    const set = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(requirement);
    if (set !== null) {
      const values = (set[3] ?? '').split(',').map((value) => value.trim());
      if (!LABEL_KEY.test(set[1] ?? '')) return `has an invalid label key "${set[1]}"`;
      if (values.some((value) => value === '' || !LABEL_VALUE.test(value))) return `has an invalid value list in "${requirement}"`;
      continue;
    }
    const equality = /^([^=!\s]+)\s*(==|=|!=)\s*([^=!\s]*)$/.exec(requirement);
    if (equality !== null) {
      if (!LABEL_KEY.test(equality[1] ?? '')) return `has an invalid label key "${equality[1]}"`;
      if (!LABEL_VALUE.test(equality[3] ?? '')) return `has an invalid label value "${equality[3]}"`;
      continue;
    }
    const exists = /^(!?)\s*([^\s!=(),]+)$/.exec(requirement);
    if (exists !== null && LABEL_KEY.test(exists[2] ?? '')) continue;
    return `has a requirement that is not key=value, key!=value, key in (...), key notin (...), key or !key: "${requirement}"`;
  }
  return null;
}

const kubernetesTargetShape = {
  namespace: dnsLabel('namespace', 'namespace name').describe('Namespace of the workloads; the agent must be allowed to read it (AGENT_KUBE_NAMESPACES)'),
  selector: z
    .string()
    .trim()
    .min(1, { message: 'selector must not be empty', abort: true })
    .max(1000, 'selector must be at most 1000 characters')
    .superRefine((selector, ctx) => {
      const problem = labelSelectorProblem(selector);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: `selector ${problem}` });
    })
    .describe('Label selector of the workloads, e.g. app.kubernetes.io/name=ingress-nginx'),
  container: dnsLabel('container', 'container name')
    .nullish()
    .describe('The container whose image tag is the version; default: the only container of the pod template'),
  kinds: z
    .array(z.enum(WORKLOAD_KIND_VALUES, { error: `each kind must be one of ${WORKLOAD_KIND_VALUES.join(', ')}` }))
    .min(1, 'kinds must list at least one kind')
    .refine((kinds) => new Set(kinds).size === kinds.length, 'kinds must not repeat a kind')
    .nullish()
    .describe(`Workload kinds read; default all of ${WORKLOAD_KIND_VALUES.join(', ')}`),
};

const helmReleaseTargetShape = {
  namespace: dnsLabel('namespace', 'namespace name').describe('Namespace the release is installed in (helm --namespace)'),
  release: z
    .string()
    .trim()
    .min(1, 'release must not be empty')
    .max(53, 'release must be at most 53 characters (Helm limit)')
    .regex(DNS_SUBDOMAIN, 'release must be a Helm release name: lower-case letters, digits, - and .')
    .describe('The release name, as in helm list'),
};

/** Where a `kubernetes` scrape job reads: `{ namespace, selector, container?, kinds? }`. */
export const kubernetesTargetSchema = z.strictObject(kubernetesTargetShape).meta({ id: 'KubernetesTarget' });
/** Where a `kubernetes` scrape job reads. */
export type KubernetesTarget = z.infer<typeof kubernetesTargetSchema>;

/** Which Helm release a `helm_release` scrape job reads: `{ namespace, release }`. */
export const helmReleaseTargetSchema = z.strictObject(helmReleaseTargetShape).meta({ id: 'HelmReleaseTarget' });
/** Which Helm release a `helm_release` scrape job reads. */
export type HelmReleaseTarget = z.infer<typeof helmReleaseTargetSchema>;

/** Lenient versions for data the server hands out (task specs, responses): unknown keys stripped. */
export const clusterTargetOutputSchemas = {
  kubernetes: z.object({
    namespace: z.string(),
    selector: z.string(),
    container: z.string().nullish(),
    kinds: z.array(z.enum(WORKLOAD_KIND_VALUES)).nullish(),
  }),
  helmRelease: z.object({ namespace: z.string(), release: z.string() }),
} as const;

/** An image digest as OCI writes it, e.g. `sha256:` and 64 hex digits. */
export const imageDigestSchema = z
  .string()
  .max(200)
  .regex(/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,128}$/, 'must be an image digest such as sha256:<64 hex digits>');

/** Most workloads a snapshot lists. */
export const SNAPSHOT_WORKLOADS_MAX = 200;

/** One workload a `kubernetes` scrape read. */
export const workloadImageSchema = z.strictObject({
  kind: z.enum(WORKLOAD_KIND_VALUES),
  namespace: z.string().min(1).max(63),
  name: z.string().min(1).max(253),
  container: z.string().min(1).max(63),
  image: z.string().min(1).max(1000).describe('The image reference of the pod template, as written'),
  version: z.string().max(200).nullable().describe('Its tag; null when the image is pinned by digest only'),
  imageDigest: imageDigestSchema.nullable(),
});
/** One workload a `kubernetes` scrape read. */
export type WorkloadImage = z.infer<typeof workloadImageSchema>;

/** The Helm release a `helm_release` scrape read. */
export const helmReleaseReadSchema = z.strictObject({
  name: z.string().min(1).max(53),
  namespace: z.string().min(1).max(63),
  revision: z.number().int().min(1),
  status: z.string().max(50),
  chart: z.string().max(250),
  chartVersion: z.string().max(200),
  appVersion: z.string().max(200).nullable(),
  deployedAt: z.string().max(64).nullable().describe('When this revision was deployed (ISO 8601)'),
});
/** The Helm release a `helm_release` scrape read. */
export type HelmReleaseRead = z.infer<typeof helmReleaseReadSchema>;

/** What a cluster scrape read, kept with its snapshot. Never a secret: image references, names and versions. */
export const scrapeDetailsSchema = z
  .strictObject({
    workloads: z.array(workloadImageSchema).max(SNAPSHOT_WORKLOADS_MAX).optional().describe('kubernetes: every matching workload, lowest version first'),
    helmRelease: helmReleaseReadSchema.optional(),
  })
  .meta({ id: 'ScrapeDetails' });
/** What a cluster scrape read. */
export type ScrapeDetails = z.infer<typeof scrapeDetailsSchema>;
