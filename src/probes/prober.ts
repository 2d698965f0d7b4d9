import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { ContainerEngine } from '../docker/engine.js';
import type { Inventory, InventoryEntry } from '../docker/inventory.js';
import { listen } from '../listen.js';
import type { LogBatch, LogEnd, LogFollow, LogPump } from '../logs/pump.js';
import { describeErrors, hasProbeLabels, PROBE_LABELS, probeSpec, type ProbeSpec } from './labels.js';
import { nextRunAt } from './schedule.js';
import {
  afterExecRun,
  afterLogMatch,
  freshProbeHealth,
  OUTPUT_LIMIT,
  withStatus,
  type ExecRun,
  type ProbeHealth,
} from './state.js';

export interface ProberOptions {
  /** Exec probes in flight at once, across every container (VIGIL_PROBE_CONCURRENCY). */
  concurrency: number;
  /** Where the host's /proc is visible: to end a hung exec inside its container. */
  procRoot: string;
  /** vigil's own container, never probed. */
  selfId: string | null;
}

export interface ProberParts {
  engine: ContainerEngine;
  inventory: Inventory;
  logPump: LogPump;
  logger: Logger;
}

/** One probed container, for one run of it and one set of probe labels. */
interface Probed {
  id: string;
  name: string;
  tty: boolean;
  /** The probe labels as they were read: a change of any of them starts the probes anew. */
  signature: string;
  runStartedAt: number | null;
  spec: ProbeSpec;
  health: ProbeHealth;
  execTimer: NodeJS.Timeout | null;
  windowTimer: NodeJS.Timeout | null;
  follow: LogFollow | null;
  refollowTimer: NodeJS.Timeout | null;
  halted: boolean;
}

/** A follower cut or ended while the container still runs is opened again after this long. */
const REFOLLOW_MS = 1000;

/**
 * Runs the probes that containers declare with labels (labels.ts) and hands each verdict to the
 * inventory (HealthFacts.probe), where containerHealth() reads it like a HEALTHCHECK's: the metrics,
 * the API, incidents and the medic follow from there. Exec probes run in each container's own phase of
 * its interval, at most `concurrency` at once, each ended at its timeout; log probes read the stream
 * the log pump already has open for the container (or opens), one per container however many read it.
 */
export class Prober {
  private readonly probed = new Map<string, Probed>();
  private readonly limit: ReturnType<typeof pLimit>;
  private unsubscribe: () => void = () => undefined;
  private stopped = false;
  /** Exec probes that timed out, for the metrics and the benchmark. */
  timeouts = 0;
  /** Exec probes run, for the benchmark. */
  runs = 0;

  constructor(
    private readonly parts: ProberParts,
    private readonly options: ProberOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.limit = pLimit(options.concurrency);
  }

  start(): void {
    const { inventory } = this.parts;
    this.unsubscribe = listen(inventory, {
      added: (entry: InventoryEntry) => this.consider(entry),
      changed: (entry: InventoryEntry) => this.consider(entry),
      removed: (entry: InventoryEntry) => this.drop(entry.record.id),
    });
    for (const entry of inventory.all()) this.consider(entry);
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const p of this.probed.values()) this.halt(p);
    this.probed.clear();
  }

  /** Containers probed now, and exec probes in flight or waiting for a slot. */
  get size(): number {
    return this.probed.size;
  }

  get pending(): number {
    return this.limit.activeCount + this.limit.pendingCount;
  }

  private consider(entry: InventoryEntry): void {
    if (this.stopped) return;
    const { record } = entry;
    if (!hasProbeLabels(record.labels) || record.id === this.options.selfId) {
      if (this.probed.has(record.id)) this.drop(record.id);
      if (entry.probe) this.parts.inventory.setProbe(record.id, null);
      return;
    }
    const signature = JSON.stringify(Object.values(PROBE_LABELS).map((label) => record.labels[label] ?? null));
    const running = record.state === 'running';
    const runStartedAt = running ? (record.startedAt?.getTime() ?? null) : null;
    const existing = this.probed.get(record.id);
    if (existing && existing.signature === signature) {
      if (!running) return this.halt(existing);
      if (existing.runStartedAt === runStartedAt && !existing.halted) return;
    }
    if (existing) this.halt(existing);
    const spec = probeSpec(record.labels);
    const errors = describeErrors(spec.errors);
    // once per set of labels: a restart of the container with the same bad label says nothing new
    if (errors.length > 0 && existing?.signature !== signature)
      this.parts.logger.warn(
        { container: record.name, errors },
        'probe labels that cannot be used; those probes do not run',
      );
    const p: Probed = {
      ...{ id: record.id, name: record.name, tty: record.tty, signature, runStartedAt, spec },
      health: freshProbeHealth(spec.exec, spec.log, errors, runStartedAt),
      ...{ execTimer: null, windowTimer: null, follow: null, refollowTimer: null, halted: !running },
    };
    this.probed.set(record.id, p);
    this.publish(p, p.health);
    if (!running) return;
    if (spec.exec) this.scheduleExec(p);
    if (spec.log) this.followLog(p);
  }

  private drop(id: string): void {
    const p = this.probed.get(id);
    if (!p) return;
    this.halt(p);
    this.probed.delete(id);
  }

  private halt(p: Probed): void {
    p.halted = true;
    for (const timer of [p.execTimer, p.windowTimer, p.refollowTimer]) if (timer) clearTimeout(timer);
    p.execTimer = p.windowTimer = p.refollowTimer = null;
    p.follow?.close();
    p.follow = null;
  }

  private publish(p: Probed, health: ProbeHealth): void {
    const before = p.health.status;
    p.health = health;
    if (before !== health.status && health.status !== 'starting')
      this.parts.logger.info({ container: p.name, from: before, to: health.status }, 'probe status changed');
    this.parts.inventory.setProbe(p.id, health);
  }

  private scheduleExec(p: Probed): void {
    if (p.halted || !p.spec.exec) return;
    const now = this.clock();
    const at = nextRunAt(p.id, p.spec.exec.intervalMs, now);
    p.execTimer = setTimeout(() => void this.runExec(p), at - now);
    p.execTimer.unref();
  }

  private async runExec(p: Probed): Promise<void> {
    p.execTimer = null;
    const spec = p.spec.exec;
    const exec = this.parts.engine.exec?.bind(this.parts.engine);
    if (p.halted || !spec) return;
    if (!exec) {
      this.publish(p, { ...p.health, errors: [...p.health.errors, 'this engine cannot run exec probes'] });
      return;
    }
    const run = await this.limit(async (): Promise<ExecRun | null> => {
      if (p.halted) return null;
      const start = new Date(this.clock());
      const outcome = await exec(p.id, spec.command, {
        timeoutMs: spec.timeoutMs,
        outputLimit: OUTPUT_LIMIT,
        procRoot: this.options.procRoot,
      });
      this.runs++;
      if (outcome.timedOut) {
        this.timeouts++;
        if (outcome.killed === false)
          this.parts.logger.warn({ container: p.name }, 'a timed-out exec probe could not be ended; it may still run');
      }
      return { start, end: new Date(this.clock()), exitCode: outcome.exitCode, output: outcome.output };
    });
    if (run === null || p.halted || !p.health.exec) return;
    const execState = afterExecRun(p.health.exec, run, spec, p.runStartedAt);
    this.publish(p, withStatus({ ...p.health, exec: execState }, this.clock()));
    this.scheduleExec(p);
  }

  private followLog(p: Probed): void {
    const spec = p.spec.log;
    if (p.halted || !spec) return;
    const now = this.clock();
    // the lines of this run within the window: a line just before the follow opened still counts
    const from = Math.max(p.runStartedAt ?? now, now - spec.windowMs);
    const follow = this.parts.logPump.follow(
      { id: p.id, tty: p.tty },
      { tail: 'all', sinceSeconds: Math.floor(from / 1000) },
      { deliver: (batch) => this.onLines(p, batch), end: (end) => this.onLogEnd(p, follow, end) },
    );
    p.follow = follow;
    follow.ready.catch((err: Error) => {
      this.parts.logger.debug({ container: p.name, err: err.message }, 'log probe could not open the log');
      this.onLogEnd(p, follow, { reason: err.message });
    });
  }

  private onLines(p: Probed, batch: LogBatch): boolean {
    const spec = p.spec.log;
    if (p.halted || !spec || !p.health.log) return true;
    let log = p.health.log;
    for (const line of batch.lines) {
      if (!spec.regex.matcher(line.message).find()) continue;
      const at = Date.parse(line.timestamp);
      const stamped = Number.isFinite(at) ? at : this.clock();
      // a line of an earlier run (the tail's first second) says nothing of this one
      if (p.runStartedAt !== null && stamped < p.runStartedAt) continue;
      log = afterLogMatch(log, line.message, new Date(stamped));
    }
    if (log === p.health.log) return true;
    const now = this.clock();
    this.publish(p, withStatus({ ...p.health, log }, now));
    if (p.windowTimer) clearTimeout(p.windowTimer);
    const until = log.unhealthyUntil?.getTime() ?? now;
    p.windowTimer = setTimeout(() => this.windowOver(p), Math.max(0, until - now) + 1);
    p.windowTimer.unref();
    return true;
  }

  private windowOver(p: Probed): void {
    p.windowTimer = null;
    if (p.halted) return;
    this.publish(p, withStatus(p.health, this.clock()));
  }

  private onLogEnd(p: Probed, follow: LogFollow, end: LogEnd): void {
    if (p.follow !== follow) return;
    p.follow = null;
    if (p.halted) return;
    this.parts.logger.debug({ container: p.name, reason: end.reason }, 'log probe stream ended; opening it again');
    p.refollowTimer = setTimeout(() => {
      p.refollowTimer = null;
      this.followLog(p);
    }, REFOLLOW_MS);
    p.refollowTimer.unref();
  }
}
