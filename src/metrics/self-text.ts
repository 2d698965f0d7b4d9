import { gzipSync } from 'node:zlib';

/** What the self part renders from: vigil's own prom-client registry (only its text is used here). */
export interface TextRegistry {
  metrics(): Promise<string>;
}

/** The self part as last rendered: its text, that text gzipped, and when and in which epoch it was read. */
export interface RenderedSelf {
  bytes: Buffer;
  gzipped: Buffer;
  renderedAt: number;
  epoch: number;
}

/** Scrapes closer together than this are a person or a test polling, not a scraper at its interval. */
const MIN_SCRAPE_INTERVAL_MS = 1000;

/**
 * Pure: when the next scrape is due, if the last three came at a steady interval (Prometheus scrapes
 * a target at a fixed phase of its interval, so the gaps agree to a few milliseconds); null otherwise.
 */
export function nextScrapeDueAt(scrapes: readonly number[], toleranceMs: number): number | null {
  if (scrapes.length < 3) return null;
  const [a, b, c] = scrapes.slice(-3) as [number, number, number];
  const gap = c - b;
  if (gap < MIN_SCRAPE_INTERVAL_MS || Math.abs(gap - (b - a)) > toleranceMs) return null;
  return c + gap;
}

/**
 * Pure: whether a rendering may answer a scrape at `now`: nothing vigil tells of changed since it was
 * read (the epoch), and it is at most `maxAgeMs` old (what no event tells of: counts read from other
 * components' state, time-dependent gauges, may lag by that much, never more).
 */
export function servable(
  cached: Pick<RenderedSelf, 'renderedAt' | 'epoch'> | null,
  now: number,
  epoch: number,
  maxAgeMs: number,
): boolean {
  return cached !== null && cached.epoch === epoch && now >= cached.renderedAt && now - cached.renderedAt <= maxAgeMs;
}

export interface SelfTextOptions {
  /** How long before a due scrape the self part is rendered. */
  leadMs: number;
  /** The oldest rendering a scrape may be answered with. */
  maxAgeMs: number;
  /** How far apart two scrape intervals may be and still count as one scraper's steady interval. */
  toleranceMs: number;
  clock: () => number;
  setTimer: (fn: () => void, ms: number) => { unref?(): unknown };
  clearTimer: (timer: unknown) => void;
}

const defaults: SelfTextOptions = {
  leadMs: 40,
  maxAgeMs: 250,
  toleranceMs: 100,
  clock: Date.now,
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/**
 * vigil's own metrics (its registry: queues, recovery, streams, timestamps), rendered and gzipped just
 * before a steady scraper's next scrape is due, so that the scrape copies ready bytes: rendered on the
 * request path they were 0.7 ms of the main thread per scrape with `npm start`'s flags (prom-client's
 * formatting, two SQLite reads, a gzip stream set up for 10 KB), more than half of what vigil spent on a
 * scrape. Any change vigil tells of (`changed()`: an engine event, a sweep, a recovery action, a
 * notification's outcome, an incident closing) voids the rendering, and one older than `maxAgeMs` is
 * never served: a scrape that finds none it may use renders its own, as before.
 */
export class SelfMetricsText {
  private cached: RenderedSelf | null = null;
  private epoch = 0;
  private readonly scrapes: number[] = [];
  private timer: unknown = null;
  private readonly options: SelfTextOptions;

  constructor(
    private readonly registry: TextRegistry,
    options: Partial<SelfTextOptions> = {},
  ) {
    this.options = { ...defaults, ...options };
  }

  /** Something a self metric shows has changed: the rendering in hand may no longer answer. */
  changed(): void {
    this.epoch++;
  }

  /** A scrape came in at `at`: if the scraper keeps a steady interval, render ahead of its next one. */
  scraped(at: number): void {
    this.scrapes.push(at);
    if (this.scrapes.length > 3) this.scrapes.shift();
    const due = nextScrapeDueAt(this.scrapes, this.options.toleranceMs);
    if (this.timer !== null) this.options.clearTimer(this.timer);
    this.timer = null;
    if (due === null) return;
    const timer = this.options.setTimer(
      () => {
        this.timer = null;
        // a rendering that fails (the store closing at shutdown) leaves the scrape to render its own
        this.render().then(
          (rendered) => (this.cached = rendered),
          () => undefined,
        );
      },
      Math.max(0, due - this.options.leadMs - this.options.clock()),
    );
    timer.unref?.();
    this.timer = timer;
  }

  /**
   * The self part for a scrape now: the one rendered ahead for it if it may answer, else rendered now.
   * Each rendering ahead answers one scrape, and one rendered for a scrape answers no other: a person or
   * a test reading /metrics twice sees what changed between, events or none.
   */
  async current(): Promise<RenderedSelf> {
    const { cached } = this;
    this.cached = null;
    if (cached && servable(cached, this.options.clock(), this.epoch, this.options.maxAgeMs)) return cached;
    return this.render();
  }

  /** No more renderings ahead (vigil is stopping). */
  close(): void {
    if (this.timer !== null) this.options.clearTimer(this.timer);
    this.timer = null;
  }

  private async render(): Promise<RenderedSelf> {
    // read before the collection: a change during it voids what it renders
    const epoch = this.epoch;
    const renderedAt = this.options.clock();
    const bytes = Buffer.from(await this.registry.metrics(), 'utf8');
    return { bytes, gzipped: gzipSync(bytes, { level: 1 }), renderedAt, epoch };
  }
}
