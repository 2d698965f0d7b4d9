import type { Router } from '@koa/router';
import { z } from 'zod';
import type { ContainersSource } from '../../containers/source.js';
import type { ThresholdSource } from '../../resources/threshold-source.js';
import { effectiveThresholds } from '../../resources/threshold-settings.js';
import type { ContainerThresholdsAnswer, SettingsAnswer, ThresholdsChange } from '../api-types.js';
import { readJsonBody } from '../body.js';
import { HttpError } from '../errors.js';
import { findContainer } from './containers.js';

/** A line is a percent of the limit (CPU of one core without a limit, so above 100 is a real line). */
const percent = z.number().gt(0).max(10_000).nullable().optional();
const lines = z.strictObject({ warn: percent, crit: percent }).optional();
/** The body of PUT /api/v1/settings/thresholds/:id. */
export const thresholdsChangeSchema = z.strictObject({
  cpu: lines,
  memory: lines,
  sustainSeconds: z.number().gt(0).max(86_400).nullable().optional(),
}) satisfies z.ZodType<ThresholdsChange>;

/** Pure: a body as a change, or the 400 that says what is wrong with it. */
export function parseThresholdsChange(body: unknown): ThresholdsChange {
  const parsed = thresholdsChangeSchema.safeParse(body);
  if (!parsed.success)
    throw new HttpError(400, 'not a thresholds change', {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  return parsed.data;
}

export interface SettingsDeps {
  containers: ContainersSource;
  thresholds: ThresholdSource;
  /** The channels' settings (GET /api/v1/settings lists them); none without. */
  channels?: () => SettingsAnswer['channels'];
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
      channels: deps.channels?.() ?? [],
    };
    ctx.body = body;
  });
  router.get('/api/v1/settings/thresholds/:id', (ctx) => {
    ctx.body = answerFor(findContainer(ctx.params.id!, deps.containers).record, deps);
  });
  router.put('/api/v1/settings/thresholds/:id', async (ctx) => {
    const change = parseThresholdsChange(await readJsonBody(ctx, 4096));
    const { record } = findContainer(ctx.params.id!, deps.containers);
    deps.thresholds.change(record.name, change);
    ctx.body = answerFor(record, deps);
  });
  router.delete('/api/v1/settings/thresholds/:id', (ctx) => {
    const { record } = findContainer(ctx.params.id!, deps.containers);
    deps.thresholds.reset(record.name);
    ctx.body = answerFor(record, deps);
  });
}
