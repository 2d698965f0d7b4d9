import type { Router } from '@koa/router';
import type { ContainersSource } from '../../containers/source.js';
import type { PersonAction, PersonActionResult } from '../../recovery/intent/person-actions.js';
import type { PersonSource } from '../../recovery/intent/intent-tracker.js';
import type { ContainerRecord } from '../../docker/types.js';
import { authenticated } from '../auth.js';
import { readJsonBody } from '../body.js';
import { engineHttpError, HttpError } from '../errors.js';
import { findContainer } from './containers.js';
import type { SessionRevocations } from '../../store/revoked-sessions.js';

export interface ContainerActionsSource {
  act(record: ContainerRecord, action: PersonAction, by: PersonSource): Promise<PersonActionResult>;
}

const actions: readonly PersonAction[] = ['stop', 'start', 'restart'];

/**
 * POST /api/v1/containers/:id/stop, /start, /restart: a person's request, behind the API's token or
 * the page's session like the rest of /api/v1. A JSON body is optional (none is read yet). Recorded
 * with who asked: `page` with the page's session cookie, else `api`.
 */
export function containerActionRoutes(
  router: Router,
  deps: {
    containers: ContainersSource;
    actions: ContainerActionsSource;
    apiToken: string | undefined;
    sessions: Pick<SessionRevocations, 'revoked'>;
  },
): void {
  for (const action of actions) {
    router.post(`/api/v1/containers/:id/${action}`, async (ctx) => {
      const body = await readJsonBody(ctx, 4096, false);
      if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body)))
        throw new HttpError(400, 'the body, when sent, must be a JSON object');
      const entry = findContainer(ctx.params.id!, deps.containers);
      const headers = { authorization: ctx.get('authorization'), cookie: ctx.get('cookie') };
      const by: PersonSource =
        deps.apiToken !== undefined && authenticated(headers, deps.apiToken, deps.sessions)?.by === 'session'
          ? 'page'
          : 'api';
      try {
        ctx.body = await deps.actions.act(entry.record, action, by);
      } catch (err) {
        throw engineHttpError(err);
      }
    });
  }
}
