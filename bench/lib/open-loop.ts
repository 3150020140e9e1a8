import { Agent, request } from 'node:http';
import { percentile } from './report.ts';

/** What {@link openLoop} measured. */
export interface OpenLoopResult {
  /** Answers per second over the run. */
  rate: number;
  requests: number;
  latency: { p50: number; p99: number };
  /** Answers other than 2xx, and requests that failed. */
  failed: number;
}

/**
 * GETs `url` (or each of `url` in turn) at `rate` requests a second, evenly paced, for `seconds`, over at most `connections`
 * kept-alive connections. Each latency runs from when its request was due, not from when it was
 * sent, so a server that falls behind is charged the waiting (no coordinated omission). autocannon's
 * rate mode instead sends each connection's quota for a second back to back at the start of the
 * second, and then pads its histogram with synthetic samples at 1 ms steps: bursts of closed-loop
 * load whose tail says more about the padding than about the server.
 */
export async function openLoop(url: string | readonly string[], options: { rate: number; seconds: number; connections: number; headers?: Record<string, string> }): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const total = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  let failed = 0;
  const urls = typeof url === 'string' ? [url] : url;
  const get = (due: number, target: string) =>
    new Promise<void>((resolve) => {
      const req = request(target, { agent, headers: options.headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 300) failed++;
          latencies.push(performance.now() - due);
          resolve();
        });
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end();
    });
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    // Everything due by now goes out (the agent queues what the connections cannot take yet).
    while (sent < total && started + (sent * 1000) / options.rate <= now) {
      inFlight.push(get(started + (sent * 1000) / options.rate, urls[sent % urls.length]!));
      sent++;
    }
    const nextDue = started + (sent * 1000) / options.rate;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextDue - performance.now())));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return {
    rate: Math.round(latencies.length / elapsed),
    requests: latencies.length,
    latency: { p50: Math.round(percentile(latencies, 50) * 10) / 10, p99: Math.round(percentile(latencies, 99) * 10) / 10 },
    failed,
  };
}
