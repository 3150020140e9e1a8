import { describe, expect, it } from '@jest/globals';
import { ChannelLanes } from './channel-lanes.ts';

const settings = { slowMs: 1000, perChannel: 2, total: 3, slowForMs: 60_000 };

describe('ChannelLanes', () => {
  it('knows no channel until one is slow, and keeps no state for fast ones', () => {
    const lanes = new ChannelLanes(settings);
    lanes.observeFast('a', 20, 0);
    expect(lanes.isSlow('a', 0)).toBe(false);
    expect(lanes.size).toBe(0);
  });

  it('holds a slow channel to its share, and all slow channels to the total', () => {
    const lanes = new ChannelLanes(settings);
    lanes.adoptSlow('slow', 0);
    expect(lanes.isSlow('slow', 1)).toBe(true);
    expect(lanes.tryStartSlow('slow')).toBe(true);
    expect(lanes.tryStartSlow('slow')).toBe(false);
    expect(lanes.tryStartSlow('other')).toBe(true);
    expect(lanes.tryStartSlow('third')).toBe(false);
    lanes.endSlow('slow', 5000, 10);
    expect(lanes.tryStartSlow('slow')).toBe(true);
  });

  it('spreads the deliveries waiting for a slow channel at the pace it answers', () => {
    const lanes = new ChannelLanes(settings);
    lanes.adoptSlow('slow', 0);
    lanes.endSlow('slow', 5000, 0);
    lanes.adoptSlow('slow', 0);
    const delays = Array.from({ length: 4 }, () => lanes.reserveSlot('slow', 0));
    // One slot every (latency, some 2 s here and rising) / share (2): not all at once.
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(delays[3]! - delays[0]!).toBeGreaterThanOrEqual(3);
  });

  it('lets a channel out of the slow lane as soon as it answers quickly, and forgets it', () => {
    const lanes = new ChannelLanes(settings);
    lanes.adoptSlow('c', 0);
    lanes.endSlow('c', 30, 100);
    expect(lanes.isSlow('c', 101)).toBe(false);
    expect(lanes.size).toBe(0);
  });

  it('forgets a slow channel once its time is up', () => {
    const lanes = new ChannelLanes(settings);
    lanes.adoptSlow('c', 0);
    lanes.endSlow('c', 5000, 10);
    expect(lanes.isSlow('c', 59_000)).toBe(true);
    expect(lanes.isSlow('c', 61_000)).toBe(false);
    expect(lanes.size).toBe(0);
  });
});
