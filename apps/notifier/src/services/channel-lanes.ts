/** How {@link ChannelLanes} treats slow channels. */
export interface ChannelLaneSettings {
  /** An attempt unanswered after this many ms marks its channel slow. */
  slowMs: number;
  /** Attempts of one slow channel under way at once. */
  perChannel: number;
  /** Attempts of slow channels under way at once in all (bounds what slow receivers hold). */
  total: number;
  /** How long a channel stays slow after its last slow attempt, unless it answers quickly first. */
  slowForMs: number;
}

interface ChannelState {
  /** Attempts of this channel under way outside a batch (the slow lane). */
  slowAttempts: number;
  /** Until when the channel counts as slow (epoch ms); 0 = not slow. */
  slowUntil: number;
  /** How long its recent attempts took (moving average, ms). */
  latencyMs: number;
  /** When the next deferred delivery may start (epoch ms): deferred ones are spread from here. */
  nextSlotAt: number;
}

/**
 * The notifier's per-channel state, in this process: which channels are slow (a receiver that
 * answers in seconds or times out), how many of their attempts are under way, and the pace at
 * which their waiting deliveries are let through. Fast channels have no entry, so the map holds
 * at most the channels slow in the last `slowForMs` plus those with attempts under way.
 */
export class ChannelLanes {
  private readonly channels = new Map<string, ChannelState>();
  private slowTotal = 0;
  private readonly settings: ChannelLaneSettings;

  constructor(settings: ChannelLaneSettings) {
    this.settings = settings;
  }

  get slowMs(): number {
    return this.settings.slowMs;
  }

  /** Whether `channelId`'s deliveries go to the slow lane from the start. */
  isSlow(channelId: string, now: number): boolean {
    const state = this.channels.get(channelId);
    if (state === undefined) return false;
    if (state.slowUntil > now) return true;
    this.forgetIfIdle(channelId, state, now);
    return false;
  }

  /** Takes a slot of the slow lane for `channelId`; false when its share or the whole lane is full. */
  tryStartSlow(channelId: string): boolean {
    const state = this.stateOf(channelId);
    if (state.slowAttempts >= this.settings.perChannel || this.slowTotal >= this.settings.total) return false;
    state.slowAttempts++;
    this.slowTotal++;
    return true;
  }

  /**
   * Takes a slow-lane slot for an attempt already under way that turned out slow: it runs on
   * whatever the shares say (stopping it would waste what it sent), and it counts towards them.
   */
  adoptSlow(channelId: string, now: number): void {
    const state = this.stateOf(channelId);
    state.slowUntil = now + this.settings.slowForMs;
    state.latencyMs = Math.max(state.latencyMs, this.settings.slowMs);
    state.slowAttempts++;
    this.slowTotal++;
  }

  /** A slow-lane attempt ended after `latencyMs` (undefined: it was never made). */
  endSlow(channelId: string, latencyMs: number | undefined, now: number): void {
    const state = this.channels.get(channelId);
    if (!state) return;
    state.slowAttempts--;
    this.slowTotal--;
    if (latencyMs !== undefined) this.observe(state, latencyMs, now);
    this.forgetIfIdle(channelId, state, now);
  }

  /** An attempt of a channel not (or no longer) in the slow lane answered after `latencyMs`. */
  observeFast(channelId: string, latencyMs: number, now: number): void {
    const state = this.channels.get(channelId);
    if (!state) return;
    this.observe(state, latencyMs, now);
    this.forgetIfIdle(channelId, state, now);
  }

  /**
   * Seconds a delivery of a channel whose slow lane is full should wait: the slots ahead of it
   * are reserved at the pace the channel answers (its latency over its share), so its waiting
   * deliveries come back about when there is room rather than all at once.
   */
  reserveSlot(channelId: string, now: number): number {
    const state = this.stateOf(channelId);
    const pace = Math.max(state.latencyMs, this.settings.slowMs) / this.settings.perChannel;
    state.nextSlotAt = Math.max(now + pace, state.nextSlotAt + pace);
    return Math.max(1, Math.ceil((state.nextSlotAt - now) / 1000));
  }

  /** Channels with state (slow, recently slow, or with attempts under way). */
  get size(): number {
    return this.channels.size;
  }

  private observe(state: ChannelState, latencyMs: number, now: number): void {
    state.latencyMs = state.latencyMs === 0 ? latencyMs : 0.7 * state.latencyMs + 0.3 * latencyMs;
    if (latencyMs >= this.settings.slowMs) state.slowUntil = now + this.settings.slowForMs;
    else {
      // Answered quickly: the channel leaves the slow lane at once, and its pace starts afresh.
      state.slowUntil = 0;
      state.nextSlotAt = 0;
      state.latencyMs = latencyMs;
    }
  }

  private stateOf(channelId: string): ChannelState {
    let state = this.channels.get(channelId);
    if (!state) {
      state = { slowAttempts: 0, slowUntil: 0, latencyMs: 0, nextSlotAt: 0 };
      this.channels.set(channelId, state);
    }
    return state;
  }

  private forgetIfIdle(channelId: string, state: ChannelState, now: number): void {
    if (state.slowAttempts === 0 && state.slowUntil <= now && state.nextSlotAt <= now) this.channels.delete(channelId);
  }
}
