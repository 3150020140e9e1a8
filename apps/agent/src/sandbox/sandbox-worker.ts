// The expression sandbox's worker thread: runs user-written jq and yq expressions, which may
// never return. The main thread terminates this worker on timeout. (Regular expressions run in a
// linear-time engine on the main thread: see scrape/parsers/regex.ts.)
import { parentPort } from 'node:worker_threads';
import { loadJq } from 'jq-wasm';
import { evaluateJq } from '../scrape/parsers/jq.ts';
import { ParseFailure } from '../scrape/parsers/single-value.ts';
import { evaluateYq } from '../scrape/parsers/yq.ts';
import type { SandboxReady, SandboxReply, SandboxRequest } from './sandbox-protocol.ts';

const jqReady = loadJq();
// Loading jq-wasm takes tens of milliseconds, more on a busy machine: the time limit of an
// expression starts only once the worker says it is ready. A failed load crashes the worker.
void jqReady.then(() => parentPort?.postMessage({ ready: true } satisfies SandboxReady));

async function answer(request: SandboxRequest): Promise<SandboxReply> {
  try {
    switch (request.kind) {
      case 'jq':
        return { id: request.id, ok: true, value: evaluateJq(await jqReady, request.text, request.expression) };
      case 'yq':
        return { id: request.id, ok: true, value: evaluateYq(await jqReady, request.text, request.expression) };
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { id: request.id, ok: false, message: error instanceof ParseFailure ? message : `expression failed: ${message}` };
  }
}

parentPort?.on('message', (request: SandboxRequest) => {
  answer(request).then((reply) => parentPort?.postMessage(reply));
});
