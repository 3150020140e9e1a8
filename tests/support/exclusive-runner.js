import TestRunner from 'jest-runner';

/**
 * Jest's own runner with one more lane. The files `exclusive` names (regular expressions over
 * their paths) run one at a time in a worker of their own, beside the other files, which share the
 * rest of maxWorkers: heavy fault-injection files never overlap each other, and the light files do
 * not wait for them. When jest runs in band (one file, --runInBand, maxWorkers 1) every file runs
 * in band, in jest's order.
 *
 * jest.config: runner: ['<rootDir>/support/exclusive-runner.js', { exclusive: ['reliability/agent-fleet-churn'] }]
 */
export default class ExclusiveLaneRunner {
  supportsEventEmitters = true;
  #globalConfig;
  #context;
  #exclusive;
  #listeners = [];

  /**
   * @param {import('@jest/types').Config.GlobalConfig} globalConfig
   * @param {import('jest-runner').TestRunnerContext} context
   * @param {{ exclusive?: string[] }} options
   */
  constructor(globalConfig, context, options = {}) {
    this.#globalConfig = globalConfig;
    this.#context = context;
    this.#exclusive = (options.exclusive ?? []).map((pattern) => new RegExp(pattern));
  }

  /** Jest subscribes before it runs the tests; each lane's runner gets the same listeners. */
  on(eventName, listener) {
    const entry = { eventName, listener, unsubscribes: [] };
    this.#listeners.push(entry);
    return () => {
      for (const unsubscribe of entry.unsubscribes) unsubscribe();
      this.#listeners = this.#listeners.filter((e) => e !== entry);
    };
  }

  #lane(maxWorkers) {
    const runner = new TestRunner({ ...this.#globalConfig, maxWorkers }, this.#context);
    for (const entry of this.#listeners) entry.unsubscribes.push(runner.on(entry.eventName, entry.listener));
    return runner;
  }

  async runTests(tests, watcher, options) {
    const exclusive = options.serial ? [] : tests.filter((test) => this.#exclusive.some((pattern) => pattern.test(test.path)));
    const shared = tests.filter((test) => !exclusive.includes(test));
    const sharedWorkers = Math.max(1, this.#globalConfig.maxWorkers - (exclusive.length > 0 ? 1 : 0));
    await Promise.all([
      exclusive.length > 0 ? this.#lane(1).runTests(exclusive, watcher, { serial: false }) : undefined,
      shared.length > 0 ? this.#lane(sharedWorkers).runTests(shared, watcher, options) : undefined,
    ]);
  }
}
