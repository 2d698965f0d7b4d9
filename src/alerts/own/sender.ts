import type { Logger } from 'pino';
import { redactUrl } from '../../logger.js';
import { PostError, postJson } from '../../post-json.js';
import { activeOwnAlerts, type OwnAlertFacts } from './active.js';
import { nextTracked, postableAlerts, type PostableAlert, type Tracked } from './outgoing.js';

/** A resolved alert is sent again for this long, as Prometheus does (its resolved-alert retention). */
const KEEP_RESOLVED_MS = 15 * 60_000;
/** Tries of one request to one Alertmanager within a resend, and the pause between them. */
const ATTEMPTS = 3;
const RETRY_PAUSE_MS = 500;

export interface OwnAlertSenderOptions {
  /** Every Alertmanager of a cluster: each gets every alert, as Prometheus sends them. */
  urls: readonly string[];
  host: string;
  resendMs: number;
}

/** How one Alertmanager answered the latest resend. */
export type PostOutcome = 'sent' | 'failed';

/**
 * Sends vigil's own alerts to Alertmanager's API v2 on an interval, off the sweep's path: a resend
 * still in flight when the next is due is skipped, each request is bounded by a timeout and a few
 * tries, and a failure is logged and tried again at the next resend.
 */
export class OwnAlertSender {
  private tracked = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  /** Requests by outcome, for the logs and tests. */
  readonly outcomes = new Map<PostOutcome, number>();

  constructor(
    private readonly facts: () => OwnAlertFacts,
    private readonly options: OwnAlertSenderOptions,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.resend(), this.options.resendMs);
    this.timer.unref();
    void this.resend();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /** One resend: what is active now and what ended lately, to every Alertmanager. */
  resend(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    let body: PostableAlert[];
    try {
      const now = this.clock();
      this.tracked = nextTracked(this.tracked, activeOwnAlerts(this.facts(), this.options.host), now, KEEP_RESOLVED_MS);
      body = postableAlerts(this.tracked.values(), this.options.host, now, this.options.resendMs);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, "vigil's own alerts not evaluated");
      return Promise.resolve();
    }
    if (body.length === 0) return Promise.resolve();
    this.inFlight = Promise.all(this.options.urls.map((url) => this.post(url, body))).then(
      () => void (this.inFlight = null),
    );
    return this.inFlight;
  }

  private async post(url: string, body: PostableAlert[]): Promise<void> {
    const target = `${url.replace(/\/$/, '')}/api/v2/alerts`;
    const timeout = Math.max(1000, Math.min(10_000, this.options.resendMs / ATTEMPTS));
    let lastError = '';
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        // through postJson, which loads axios only when something is posted: a static import here had
        // every vigil hold it (about 3 MB of its memory), posting or not
        await postJson(target, body, { timeoutMs: timeout });
        this.count('sent');
        return;
      } catch (err) {
        lastError = (err as Error).message;
        // a 4xx is a request Alertmanager will never take: trying again would not help
        const status = err instanceof PostError ? err.status : null;
        if (status !== null && status >= 400 && status < 500) break;
        if (attempt < ATTEMPTS) await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS * attempt));
      }
    }
    this.count('failed');
    this.logger.warn({ alertmanager: redactUrl(url), err: lastError }, "Alertmanager did not take vigil's own alerts");
  }

  private count(outcome: PostOutcome): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }
}
