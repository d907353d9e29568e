import { describe, expect, it } from 'vitest';
import { DeliveryPacing, type LoopMeter } from '../../src/stream/delivery-pacing.js';

/** A loop on a hand-moved clock: `round` spends delivery time, `gap` time between rounds, busy or idle. */
function scriptedLoop(waiting = () => 0) {
  let now = 0;
  let active = 0;
  const meter: LoopMeter = { now: () => now, activeMs: () => active };
  const pacing = new DeliveryPacing(waiting, meter);
  return {
    /** A round that wrote for `cost` ms; the wait the pacing asks for after it. */
    round(cost: number) {
      now += cost;
      active += cost;
      return pacing.waitAfter(cost);
    },
    gap(ms: number, busyMs = 0) {
      now += ms;
      active += busyMs;
    },
    /** `count` rounds of `cost` ms, each followed by the wait it was given, `busyShare` of it busy; the last wait. */
    paced(count: number, cost: number, busyShare = 0) {
      let wait = 0;
      for (let i = 0; i < count; i++) {
        wait = this.round(cost);
        this.gap(wait, wait * busyShare);
      }
      return wait;
    },
  };
}

describe('the pace of the fan-out', () => {
  it('takes half the loop while changes keep coming: after a round of t ms it waits t ms', () => {
    const loop = scriptedLoop();
    for (let i = 0; i < 100; i++) {
      expect(loop.round(6)).toBe(6);
      loop.gap(6, 2);
    }
  });

  it('does not give way because one gap between rounds was busy (one callback committing): the loop is judged over 200 ms', () => {
    const loop = scriptedLoop();
    const waits: number[] = [];
    for (let i = 0; i < 100; i++) {
      waits.push(loop.round(6));
      // Every tenth gap is all work, the rest a third: the process is far from saturated.
      loop.gap(6, i % 10 === 0 ? 6 : 2);
    }
    expect(Math.max(...waits)).toBe(6);
  });

  it('gives ingest 95% when the rest of the process fills the time between rounds, and takes half again when it stops', () => {
    const loop = scriptedLoop();
    expect(loop.paced(60, 5, 1)).toBe(95);
    expect(loop.paced(60, 5, 0)).toBe(5);
  });

  it('gives ingest 95% when writes queue up though the loop looks idle (the clients share the machine and send slowly)', () => {
    // 8 on average, never 12 at once (that alone is a surge, tested below).
    let rounds = 0;
    let queued = true;
    const loop = scriptedLoop(() => (queued ? (rounds++ % 2 ? 10 : 6) : 1));
    expect(loop.paced(60, 5)).toBe(95);
    queued = false;
    expect(loop.paced(60, 5)).toBe(5);
  });

  it('does not give way to the few writes that wait for each round at a steady rate (200/s answered in ~15 ms: 3 in flight)', () => {
    let waiting = 0;
    const loop = scriptedLoop(() => waiting);
    const waits: number[] = [];
    for (let i = 0; i < 100; i++) {
      waiting = [2, 5, 3, 4][i % 4]!;
      waits.push(loop.round(10));
      loop.gap(10, 2);
    }
    expect(Math.max(...waits)).toBe(10);
  });

  it('gives way at the first round that ends with a surge of writes waiting (a burst of callbacks), not a window later', () => {
    let waiting = 1;
    const loop = scriptedLoop(() => waiting);
    for (let i = 0; i < 20; i++) {
      expect(loop.round(10)).toBe(10);
      loop.gap(10, 2);
    }
    waiting = 16;
    expect(loop.round(10)).toBe(190);
  });

  it('never waits more than 250 ms, however long the last round took', () => {
    const loop = scriptedLoop(() => 10);
    let wait = 0;
    for (let i = 0; i < 10; i++) {
      wait = loop.round(100);
      loop.gap(wait, 0);
    }
    expect(wait).toBe(250);
  });
});
