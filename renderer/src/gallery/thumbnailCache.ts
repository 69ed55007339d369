/**
 * Lazily fetched, cached thumbnails for the gallery grid: at most `concurrency` fetches at once,
 * newest requests first (the cells the user scrolled to last), requests dropped when their cell
 * leaves the screen before the fetch starts, and the least recently used entries evicted beyond
 * `capacity`. Independent of the DOM and the API: the fetch function is given.
 */

type Listener<T> = (value: T | Error) => void;

export class ThumbnailCache<T> {
  private readonly values = new Map<string, T>();
  private readonly waiting = new Map<string, Set<Listener<T>>>();
  private readonly queue: string[] = [];
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly fetchThumbnail: (key: string) => Promise<T>,
    private readonly capacity = 2000,
    private readonly concurrency = 4,
  ) {}

  /** The cached value, marking it recently used; undefined when not loaded. */
  get(key: string): T | undefined {
    const value = this.values.get(key);
    if (value !== undefined) {
      this.values.delete(key);
      this.values.set(key, value);
    }
    return value;
  }

  /** Asks for a thumbnail; `listener` gets it (or the error) once. Returns a function that withdraws the request. */
  request(key: string, listener: Listener<T>): () => void {
    const cached = this.get(key);
    if (cached !== undefined) {
      listener(cached);
      return () => undefined;
    }
    let listeners = this.waiting.get(key);
    if (!listeners) {
      listeners = new Set();
      this.waiting.set(key, listeners);
    }
    listeners.add(listener);
    if (!this.inFlight.has(key)) {
      const at = this.queue.indexOf(key);
      if (at >= 0) this.queue.splice(at, 1);
      this.queue.push(key);
      this.pump();
    }
    return () => {
      const set = this.waiting.get(key);
      if (!set) return;
      set.delete(listener);
      if (set.size === 0) {
        this.waiting.delete(key);
        const at = this.queue.indexOf(key);
        if (at >= 0) this.queue.splice(at, 1);
      }
    };
  }

  /** Requests waiting to start (for tests and diagnostics). */
  pendingCount(): number {
    return this.queue.length;
  }

  inFlightCount(): number {
    return this.inFlight.size;
  }

  size(): number {
    return this.values.size;
  }

  /** Forgets every cached value (a project was closed, or the samples changed). */
  clear(): void {
    this.values.clear();
  }

  private pump(): void {
    while (this.inFlight.size < this.concurrency && this.queue.length > 0) {
      const key = this.queue.pop()!;
      this.inFlight.add(key);
      this.fetchThumbnail(key).then(
        (value) => this.settle(key, value),
        (error: unknown) => this.settle(key, error instanceof Error ? error : new Error(String(error))),
      );
    }
  }

  private settle(key: string, result: T | Error): void {
    this.inFlight.delete(key);
    if (!(result instanceof Error)) {
      this.values.set(key, result);
      while (this.values.size > this.capacity) this.values.delete(this.values.keys().next().value as string);
    }
    const listeners = this.waiting.get(key);
    this.waiting.delete(key);
    if (listeners) for (const listener of listeners) listener(result);
    this.pump();
  }
}
