// Loads ahead of the consumer: the sources start reading the next tasks' trajectories (a
// PostgreSQL query, a file read) while the exporter converts and writes the current one, so I/O
// waits overlap with work instead of adding to it. Order is kept; memory holds `depth` loads.

/** `load` for each item, in order, with up to `depth` loads in flight. */
export async function* ahead<T, R>(items: Iterable<T>, depth: number, load: (item: T) => Promise<R>): AsyncIterable<R> {
  const source = items[Symbol.iterator]();
  const pending: Promise<R>[] = [];
  const start = (): boolean => {
    const next = source.next();
    if (next.done) return false;
    const p = load(next.value);
    // Awaited in turn below; this only keeps a failure that arrives early from counting as unhandled.
    p.catch(() => {});
    pending.push(p);
    return true;
  };
  while (pending.length < Math.max(1, depth) && start());
  while (pending.length > 0) {
    const value = await (pending.shift() as Promise<R>);
    start();
    yield value;
  }
}
