import type { ProbeReport, ProbeTarget } from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import { AgentApiError, type AgentApi } from '../api-client.ts';
import { sleep } from '../backoff.ts';
import { runProbe } from './probe.ts';

/** What the diagnostics loop needs. */
export interface DiagnosticsLoopDependencies {
  api: AgentApi;
  logger: Logger;
  /** The agent's id once it has registered (the task loop's heartbeat). */
  agentId: () => string | null;
  /** Built afresh each time: the hosts of tasks run grow. */
  effectiveConfig: () => Record<string, unknown>;
  allowed: (host: string) => boolean;
  intervalMs: number;
}

/**
 * Beside the task loop, every interval: reports the effective configuration and picks up the
 * probes an admin asked for, runs each (refusing what the configuration does not allow) and
 * reports it. A failure is logged and tried again next interval; it never touches the tasks.
 */
export function createDiagnosticsLoop(deps: DiagnosticsLoopDependencies): { start(): void; stop(): Promise<void> } {
  const stopping = new AbortController();
  let running: Promise<void> | null = null;

  const runOne = async (agentId: string, probe: { id: string; target: ProbeTarget }) => {
    const report: ProbeReport = await runProbe(probe.target, deps.allowed).catch((error: unknown) => ({
      outcome: 'failed' as const,
      steps: [],
      error: `the probe could not run: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1000),
    }));
    deps.logger.info({ probeId: probe.id, host: probe.target.host, port: probe.target.port, outcome: report.outcome }, report.outcome === 'refused' ? 'probe refused: target not allowed by this agent\'s configuration' : 'probe done');
    await deps.api.reportProbe(probe.id, { agentId, report });
  };

  const tick = async () => {
    const agentId = deps.agentId();
    if (agentId === null) return;
    const { probes } = await deps.api.diagnostics({ agentId, effectiveConfig: deps.effectiveConfig() });
    await Promise.all(probes.map((probe) => runOne(agentId, probe).catch((error: unknown) => deps.logger.warn({ probeId: probe.id, error: error instanceof Error ? error.message : String(error) }, 'probe report failed'))));
  };

  return {
    start() {
      running = (async () => {
        while (!stopping.signal.aborted) {
          try {
            await tick();
          } catch (error) {
            // An api from before diagnostics answers 404: nothing to do about it but say so quietly.
            const level = error instanceof AgentApiError && error.status === 404 ? 'debug' : 'warn';
            deps.logger[level]({ error: error instanceof Error ? error.message : String(error) }, 'diagnostics poll failed');
          }
          await sleep(deps.intervalMs, stopping.signal);
        }
      })();
    },
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
