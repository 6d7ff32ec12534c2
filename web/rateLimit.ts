/**
 * An in-memory sliding-window counter: how many events a key had within the last `windowMs`.
 * Used for login throttling (web/auth.ts) and the per-link upload quota (web/replyRoutes.ts).
 * One process only: counts start again when the server restarts, which is acceptable for both.
 */
export interface WindowLimiterOptions {
  /** Events a key may have within the window; the next one is refused. */
  limit: number;
  windowMs: number;
  now?: () => number;
  /** At most this many keys are remembered; the oldest are forgotten first (bounds the memory). */
  maxKeys?: number;
}

export class WindowLimiter {
  private readonly events = new Map<string, number[]>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly options: WindowLimiterOptions) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  private recent(key: string): number[] {
    const since = this.now() - this.options.windowMs;
    const kept = (this.events.get(key) ?? []).filter((at) => at > since);
    if (kept.length === 0) this.events.delete(key);
    else this.events.set(key, kept);
    return kept;
  }

  /** True when the key has used up its events for the current window. */
  blocked(key: string): boolean {
    return this.recent(key).length >= this.options.limit;
  }

  /** How long until the key may act again (0 when it is not blocked). */
  retryAfterMs(key: string): number {
    const kept = this.recent(key);
    if (kept.length < this.options.limit) return 0;
    return Math.max(0, kept[kept.length - this.options.limit]! + this.options.windowMs - this.now());
  }

  /** Counts one event for the key. */
  hit(key: string): void {
    const kept = this.recent(key);
    this.events.delete(key); // re-inserted last: the map's order is "least recently hit first"
    this.events.set(key, [...kept, this.now()]);
    while (this.events.size > this.maxKeys) this.events.delete(this.events.keys().next().value!);
  }

  /** Counts one event unless the key is blocked; false when blocked (nothing counted). */
  take(key: string): boolean {
    if (this.blocked(key)) return false;
    this.hit(key);
    return true;
  }

  /** Takes back the key's latest event (an attempt counted up front that turned out fine). */
  release(key: string): void {
    const kept = this.recent(key);
    if (kept.length <= 1) this.events.delete(key);
    else this.events.set(key, kept.slice(0, -1));
  }

  /** Forgets the key's events (e.g. after a successful login). */
  clear(key: string): void {
    this.events.delete(key);
  }
}
