import { SingleFlight } from './single-flight';

describe('SingleFlight', () => {
  const deferred = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };

  it('runs one task at a time; calls made during a run share one run queued after it', async () => {
    const gates = [deferred(), deferred(), deferred()];
    let started = 0;
    const flight = new SingleFlight(async () => {
      const n = started++;
      await gates[n].promise;
      return n;
    });
    const first = flight.run();
    const second = flight.run();
    const third = flight.run();
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(1);
    gates[0].resolve();
    expect(await first).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(2);
    gates[1].resolve();
    expect([await second, await third]).toEqual([1, 1]);
    // Idle again: the next call starts a run of its own at once.
    gates[2].resolve();
    expect(await flight.run()).toBe(2);
    expect(started).toBe(3);
  });

  it('a failed run fails its callers; the queued run still goes ahead', async () => {
    let calls = 0;
    const flight = new SingleFlight(async () => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
      return calls;
    });
    const first = flight.run();
    const second = flight.run();
    await expect(first).rejects.toThrow('boom');
    expect(await second).toBe(2);
  });
});
