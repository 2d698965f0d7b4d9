import type { Router } from '@koa/router';
import { z } from 'zod';
import type { ContainersSource } from '../../containers/source.js';
import type { ThresholdSource } from '../../resources/threshold-source.js';
import { effectiveThresholds } from '../../resources/threshold-settings.js';
import type {
  ChannelChange,
  ChannelSettings,
  ContainerThresholdsAnswer,
  SettingsAnswer,
  ThresholdsChange,
} from '../api-types.js';
import { readJsonBody } from '../body.js';
import { HttpError } from '../errors.js';
import { findContainer } from './containers.js';
import { channelSchema, notifyEvents, severities } from '../../notify/channel-config.js';
import type { ChannelSettingsSource } from '../../notify/channel-settings.js';

/** A line is a percent of the limit (CPU of one core without a limit, so above 100 is a real line). */
const percent = z.number().gt(0).max(10_000).nullable().optional();
const lines = z.strictObject({ warn: percent, crit: percent }).optional();
/** The body of PUT /api/v1/settings/thresholds/:id. */
export const thresholdsChangeSchema = z.strictObject({
  cpu: lines,
  memory: lines,
  sustainSeconds: z.number().gt(0).max(86_400).nullable().optional(),
}) satisfies z.ZodType<ThresholdsChange>;

/** Pure: a body as a change, or the 400 that says what is wrong with it, naming the first field at fault. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(the body)', message: i.message }));
    const first = issues[0]!;
    throw new HttpError(400, `not a ${what}: ${first.path}: ${first.message}`, { issues });
  }
  return parsed.data;
}

/** The body of PATCH /api/v1/settings/channels/:name. */
export const channelChangeSchema = z.strictObject({
  events: z.array(z.enum(notifyEvents)).min(1).nullable().optional(),
  minSeverity: z.enum(severities).nullable().optional(),
}) satisfies z.ZodType<ChannelChange>;

export interface SettingsDeps {
  containers: ContainersSource;
  thresholds: ThresholdSource;
  /** The channels' settings (GET /api/v1/settings lists them, PATCH changes one); none without. */
  channels?: Pick<ChannelSettingsSource, 'list' | 'change' | 'add' | 'remove'>;
}

function answerFor(record: { shortId: string; name: string; labels: Record<string, string> }, deps: SettingsDeps) {
  const body: ContainerThresholdsAnswer = {
    id: record.shortId,
    name: record.name,
    thresholds: deps.thresholds.settingsFor(record),
  };
  return body;
}

/**
 * The alert settings the page reads and changes: GET /api/v1/settings; per container GET, PUT (a
 * number sets a value, null gives it back to the label or the file) and DELETE (gives all back).
 * A change applies from the next sweep on, and is kept in the store across restarts.
 */
export function settingsRoutes(router: Router, deps: SettingsDeps): void {
  router.get('/api/v1/settings', (ctx) => {
    const body: SettingsAnswer = {
      thresholds: {
        defaults: effectiveThresholds({}, deps.thresholds.defaults, undefined),
        containers: deps.containers.containers().map((e) => answerFor(e.record, deps)),
      },
      channels: deps.channels?.list() ?? [],
    };
    ctx.body = body;
  });
  router.get('/api/v1/settings/thresholds/:id', (ctx) => {
    ctx.body = answerFor(findContainer(ctx.params.id!, deps.containers).record, deps);
  });
  router.put('/api/v1/settings/thresholds/:id', async (ctx) => {
    const change = parseBody(thresholdsChangeSchema, await readJsonBody(ctx, 4096), 'thresholds change');
    const { record } = findContainer(ctx.params.id!, deps.containers);
    deps.thresholds.change(record.name, change);
    ctx.body = answerFor(record, deps);
  });
  router.delete('/api/v1/settings/thresholds/:id', (ctx) => {
    const { record } = findContainer(ctx.params.id!, deps.containers);
    deps.thresholds.reset(record.name);
    ctx.body = answerFor(record, deps);
  });
  router.patch('/api/v1/settings/channels/:name', async (ctx) => {
    const change = parseBody(channelChangeSchema, await readJsonBody(ctx, 4096), 'channel change');
    const name = ctx.params.name!;
    const changed = deps.channels?.change(name, change);
    if (!changed)
      throw new HttpError(404, `no channel named "${name.slice(0, 64)}"`, {
        channels: deps.channels?.list().map((c) => c.name) ?? [],
      });
    const body: ChannelSettings = changed;
    ctx.body = body;
  });
  // a channel added on the page: applied at once, kept across restarts, its secrets never served back
  router.post('/api/v1/settings/channels', async (ctx) => {
    const config = parseBody(channelSchema, await readJsonBody(ctx, 16 * 1024), 'channel');
    if (!deps.channels) throw new HttpError(404, 'this vigil keeps no channel settings');
    const added = deps.channels.add(config);
    if (!added)
      throw new HttpError(409, `a channel named "${config.name}" exists already: choose another name`, {
        channels: deps.channels.list().map((c) => c.name),
      });
    const body: ChannelSettings = added;
    ctx.status = 201;
    ctx.body = body;
  });
  router.delete('/api/v1/settings/channels/:name', async (ctx) => {
    const name = ctx.params.name!;
    const outcome = (await deps.channels?.remove(name)) ?? 'unknown';
    if (outcome === 'from-config')
      throw new HttpError(409, `"${name}" comes from vigil's configuration file: remove it there`);
    if (outcome === 'unknown')
      throw new HttpError(404, `no channel named "${name.slice(0, 64)}"`, {
        channels: deps.channels?.list().map((c) => c.name) ?? [],
      });
    ctx.status = 204;
  });
}
